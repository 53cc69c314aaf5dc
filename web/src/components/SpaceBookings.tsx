"use client";
// The bookings of a space its operator manages: upcoming or past, by end time, paged.
import { useCallback, useEffect, useState } from "react";

import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import type { components } from "@/api/schema";
import { FormMessage } from "@/components/Field";
import { localTime, money, stayLength } from "@/lib/format";

type Booking = components["schemas"]["BookingView"];

export function SpaceBookings({ spaceId }: { spaceId: string }) {
  const api = useApi();
  const [when, setWhen] = useState<"upcoming" | "past">("upcoming");
  const [items, setItems] = useState<Booking[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (cursor?: string) => {
      const { data, error } = await api.GET("/spaces/{spaceId}/bookings", {
        params: { path: { spaceId }, query: { when, limit: 20, ...(cursor ? { cursor } : {}) } },
      });
      if (error || !data) return setError(show(error).message);
      setError(null);
      setItems((prev) => (cursor && prev ? [...prev, ...data.items] : data.items));
      setNext(data.next_cursor ?? null);
    },
    [api, spaceId, when],
  );

  useEffect(() => {
    setItems(null);
    void load();
  }, [load]);

  return (
    <section aria-labelledby="space-bookings">
      <h2 id="space-bookings">Bookings</h2>
      <div className="row" role="group" aria-label="Which bookings">
        {(["upcoming", "past"] as const).map((w) => (
          <button key={w} type="button" aria-pressed={when === w} className={when === w ? "" : "secondary"} onClick={() => setWhen(w)}>
            {w === "upcoming" ? "Upcoming" : "Past"}
          </button>
        ))}
      </div>
      <FormMessage error={error} />
      {items === null ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p>No {when} bookings.</p>
      ) : (
        <table>
          <caption className="muted">Times in the space&apos;s zone</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">From</th>
              <th scope="col">Until</th>
              <th scope="col">Status</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {items.map((b) => (
              <tr key={b.id}>
                <td>
                  {b.item_identifier}
                  {b.unit !== "hour" && <span className="muted"> · {stayLength(b.unit, b.quantity)}</span>}
                </td>
                <td>{localTime(b.start_time, b.time_zone)}</td>
                <td>{localTime(b.end_time, b.time_zone)}</td>
                <td>{b.status}</td>
                <td>{money(b.price.total, b.price.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" className="secondary" onClick={() => load(next)}>
          More bookings
        </button>
      )}
    </section>
  );
}
