"use client";
// The member's waitlist (newest first): each time they wait for, in the space's zone, and
// its status; paying for the time held for them once it is offered (on the booking page,
// like any booking), and leaving the line while waiting.
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";

import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import type { components } from "@/api/schema";
import { FormMessage } from "@/components/Field";
import { useSession } from "@/components/useSession";
import { localHour, localTime } from "@/lib/format";
import type { WaitlistEntry } from "@/lib/waitlist";

type Space = components["schemas"]["SpaceResponse"];

/** What an entry is for: the item and space when known, and the zone to show its time in
 * (the space's; the browser's when the space cannot be read). */
function described(e: WaitlistEntry, space: Space | null | undefined) {
  const timeZone = space?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const item = space?.items.find((i) => i.id === e.bookable_item_id)?.identifier ?? "An item";
  const when = `${localTime(e.start_time, timeZone)}–${localHour(e.end_time, timeZone)}`;
  return { timeZone, item, when };
}

export function MyWaitlist() {
  const api = useApi();
  const { session } = useSession();
  const [entries, setEntries] = useState<WaitlistEntry[] | null>(null);
  const [spaces, setSpaces] = useState<Record<string, Space | null>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [leaving, setLeaving] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error } = await api.GET("/users/me/waitlist");
    if (error || !data) return setError(show(error).message);
    // The spaces the entries are in (a few at most): item names and time zones.
    const ids = [...new Set(data.items.map((e) => e.space_id))];
    const found = await Promise.all(
      ids.map(async (id) => {
        const { data: space } = await api.GET("/spaces/{spaceId}", { params: { path: { spaceId: id } } });
        return [id, space ?? null] as const;
      }),
    );
    setSpaces(Object.fromEntries(found));
    setError(null);
    setEntries(data.items);
  }, [api]);

  useEffect(() => {
    if (session) void load();
  }, [session, load]);

  async function leave(e: WaitlistEntry) {
    setLeaving(e.id);
    const { data, error } = await api.DELETE("/waitlist/{entryId}", { params: { path: { entryId: e.id } } });
    setLeaving(null);
    if (error || !data) return setError(show(error).message);
    setError(null);
    setEntries((all) => all?.map((x) => (x.id === data.id ? data : x)) ?? null);
    const { item, when } = described(data, spaces[data.space_id]);
    setNotice(`You left the waitlist for ${item}, ${when}.`);
  }

  return (
    <section aria-labelledby="waitlist">
      <h2 id="waitlist">My waitlist</h2>
      <FormMessage error={error} notice={notice} />
      {entries === null ? (
        !error && <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p>
          You are not waiting for any time. When a time you want is taken, pick it on the space&apos;s page to join its
          waitlist.
        </p>
      ) : (
        <ul className="cards">
          {entries.map((e) => {
            const space = spaces[e.space_id];
            const { timeZone, item, when } = described(e, space);
            return (
              <li key={e.id} className="card" data-testid="waitlist-entry">
                {space ? <Link href={`/spaces/${e.space_id}`}>{item}</Link> : item}
                {space && <span className="muted"> at {space.name}</span>} ·{" "}
                <strong data-testid="waitlist-status">{e.status}</strong>
                <br />
                {when} ({timeZone})
                <br />
                {e.status === "waiting" && (
                  <>
                    <span className="muted">In line: we&apos;ll notify you when it frees.</span>{" "}
                    <button
                      type="button"
                      className="secondary"
                      disabled={leaving === e.id}
                      aria-label={`Leave the waitlist for ${item}, ${when}`}
                      onClick={() => void leave(e)}
                    >
                      Leave
                    </button>
                  </>
                )}
                {e.status === "offered" && e.offer_booking_id && (
                  <>
                    <span>Held for you for a short while: </span>
                    <Link
                      href={`/bookings/${e.offer_booking_id}`}
                      className="button"
                      aria-label={`Pay now for ${item}, ${when}`}
                    >
                      Pay now
                    </Link>
                  </>
                )}
                {e.status === "closed" && <span className="muted">No longer waiting.</span>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
