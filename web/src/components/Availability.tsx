"use client";
// The availability grid of one local day (rows: items; columns: the day's slots in the
// space's zone), live: a booking anywhere updates it within moments. Picking a free cell
// and a length books it; the booking page then shows the price and takes the payment.
// Repeated (`RepeatFields`), it books a series instead, paid at once on the series page.
// Picking a taken cell (or a booking refused because the time was just taken) offers to
// join the waitlist for that time instead: the first in line gets it held when it frees.
// Items sold by whole days are booked from that day below the grid (`StayForm`).
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import type { components } from "@/api/schema";
import { FormMessage } from "@/components/Field";
import { RefusedList, RepeatFields } from "@/components/RepeatFields";
import { StayForm } from "@/components/StayForm";
import { useSession } from "@/components/useSession";
import { useConfig } from "@/lib/config";
import { localDate, localHour, localTime, money, startOfLocalDay } from "@/lib/format";
import { followSpace } from "@/lib/live";
import { NO_REPEAT, refusedOccurrences, repeatErrors, toRrule, type OnConflict, type Refused, type Repeat } from "@/lib/series";
import { isTimeFree, isTimeTaken, problemMessage, type WaitlistEntry } from "@/lib/waitlist";

type Item = components["schemas"]["ItemAvailability"];
const MINUTE = 60_000;

function isFree(item: Item, start: number, end: number): boolean {
  return item.free.some((f) => Date.parse(f.start_time) <= start && end <= Date.parse(f.end_time));
}

/** A `YYYY-MM-DD` day from the address (`?day=`), if it is one. */
function dayParam(day: string | undefined): string | null {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  // A calendar day only (2026-02-31 is none): the same in every browser and on the server.
  const t = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === day ? day : null;
}

export function Availability({ spaceId, timeZone, day }: { spaceId: string; timeZone: string; day?: string }) {
  const api = useApi();
  const router = useRouter();
  const { liveUrl } = useConfig();
  const { session } = useSession();
  // The day shown is in the address (`?day=`): a link or a reload shows the same day.
  const [date, setDate] = useState<string | null>(() => dayParam(day) ?? localDate(Date.now(), timeZone));
  const [items, setItems] = useState<Item[] | null>(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pick, setPick] = useState<{ itemId: string; start: number } | null>(null);
  const [minutes, setMinutes] = useState(60);
  const [booking, setBooking] = useState(false);
  const [promo, setPromo] = useState("");
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [repeat, setRepeat] = useState<Repeat>(NO_REPEAT);
  // Whether to show what is wrong with the repeat choice (after a first try to book).
  const [checkRepeat, setCheckRepeat] = useState(false);
  // A series the API refused, for the request it was about (`key`).
  const [refusal, setRefusal] = useState<{ key: string; problem: Shown; refused: Refused[]; onConflict: OnConflict } | null>(
    null,
  );
  // A booking refused because its time was taken, for the time it was about (`key`).
  const [taken, setTaken] = useState<{ key: string; message: string } | null>(null);
  // Joining the waitlist: the entry, or why not, for the time it was about (`key`).
  const [joined, setJoined] = useState<{ key: string; entry: WaitlistEntry | null; message: string | null } | null>(null);
  const [joining, setJoining] = useState(false);

  const dayStart = date ? startOfLocalDay(date, timeZone) : null;

  const load = useCallback(async () => {
    if (dayStart == null) return;
    const to = startOfLocalDay(localDate(dayStart + 26 * 60 * MINUTE, timeZone), timeZone);
    const { data, error } = await api.GET("/spaces/{spaceId}/availability", {
      params: {
        path: { spaceId },
        query: { from: new Date(dayStart).toISOString(), to: new Date(to).toISOString() },
      },
    });
    if (error || !data) return setError(show(error).message);
    setError(null);
    setItems(data.items);
    setUpdatedAt(Date.now());
  }, [api, spaceId, dayStart, timeZone]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => followSpace(liveUrl, spaceId, () => void load(), setLive), [liveUrl, spaceId, load]);

  // Only items sold by the hour make the grid's columns.
  const hourly = useMemo(() => (items ?? []).filter((i) => i.hourly), [items]);
  const step = useMemo(() => Math.max(30, Math.min(...hourly.map((i) => i.slot_minutes), 60)), [hourly]);
  const columns = useMemo(() => {
    if (dayStart == null) return [];
    const frees = hourly.flatMap((i) => i.free.map((f) => [Date.parse(f.start_time), Date.parse(f.end_time)] as const));
    const dayEnd = dayStart + 24 * 60 * MINUTE;
    const first = Math.max(dayStart, Math.min(...frees.map((f) => f[0]), dayEnd));
    const last = Math.min(dayEnd, Math.max(...frees.map((f) => f[1]), first));
    const out: number[] = [];
    for (let t = dayStart; t < dayEnd; t += step * MINUTE) if (t + step * MINUTE > first && t < last) out.push(t);
    return out;
  }, [hourly, dayStart, step]);

  const picked = items?.find((i) => i.item_id === pick?.itemId);
  const lengths = picked
    ? Array.from(
        { length: Math.floor((picked.max_booking_minutes - picked.min_booking_minutes) / picked.slot_minutes) + 1 },
        (_, k) => picked.min_booking_minutes + k * picked.slot_minutes,
      ).filter((m) => m <= 12 * 60)
    : [];

  const firstDate = pick ? localDate(pick.start, timeZone) : null;
  const repeatProblems = firstDate ? repeatErrors(repeat, firstDate) : {};
  const rrule = firstDate && repeat.frequency !== "none" ? toRrule(repeat, firstDate) : null;
  const seriesKey = pick && rrule ? `${pick.itemId}|${pick.start}|${minutes}|${rrule}` : null;
  const shownRefusal = refusal && refusal.key === seriesKey ? refusal : null;

  // The picked time as one booking would take it, and whether the grid shows it all free.
  const end = pick ? pick.start + minutes * MINUTE : 0;
  const timeKey = pick ? `${pick.itemId}|${pick.start}|${minutes}` : null;
  const pickFree = !!pick && !!picked && isFree(picked, pick.start, end);
  const shownTaken = taken && taken.key === timeKey ? taken : null;
  const shownJoined = joined && joined.key === timeKey ? joined : null;
  // Taken time (or time a booking just found taken) can be waited for; a series cannot.
  const waitable = repeat.frequency === "none" && (!pickFree || shownTaken !== null);

  function choose(item: Item, start: number) {
    setPick({ itemId: item.item_id, start });
    setMinutes(Math.max(item.min_booking_minutes, Math.min(60, item.max_booking_minutes)));
  }

  async function bookSeries(onConflict: OnConflict) {
    if (!pick || !rrule || !seriesKey) return;
    setCheckRepeat(true);
    if (Object.keys(repeatProblems).length > 0) return;
    setBooking(true);
    setRefusal(null);
    const { data, error } = await api.POST("/series", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      body: {
        bookable_item_id: pick.itemId,
        start_time: new Date(pick.start).toISOString(),
        end_time: new Date(pick.start + minutes * MINUTE).toISOString(),
        rrule,
        on_conflict: onConflict,
      },
    });
    setBooking(false);
    if (error || !data) {
      return setRefusal({ key: seriesKey, problem: show(error), refused: refusedOccurrences(error), onConflict });
    }
    router.push(`/series/${data.id}`);
  }

  async function book() {
    if (!pick || !picked) return;
    if (repeat.frequency !== "none") return bookSeries(repeat.onConflict);
    const key = timeKey;
    setBooking(true);
    const { data, error } = await api.POST("/bookings", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      body: {
        bookable_item_id: pick.itemId,
        start_time: new Date(pick.start).toISOString(),
        end_time: new Date(end).toISOString(),
        ...(promo.trim() ? { promo_code: promo.trim() } : {}),
      },
    });
    setBooking(false);
    if (key && isTimeTaken(error)) {
      // Someone was quicker: offer the waitlist for this time (and catch the grid up).
      setTaken({ key, message: show(error).message });
      return void load();
    }
    if (error || !data) return setError(show(error).message);
    router.push(`/bookings/${data.id}`);
  }

  async function joinWaitlist() {
    if (!pick || !timeKey) return;
    const key = timeKey;
    setJoining(true);
    const { data, error } = await api.POST("/waitlist", {
      body: {
        bookable_item_id: pick.itemId,
        start_time: new Date(pick.start).toISOString(),
        end_time: new Date(end).toISOString(),
      },
    });
    setJoining(false);
    if (error || !data) {
      // Free after all (the grid was behind): it catches up, and the time can be booked.
      if (isTimeFree(error)) void load();
      return setJoined({ key, entry: null, message: problemMessage(error) });
    }
    setJoined({ key, entry: data, message: null });
  }

  return (
    <section aria-labelledby="availability">
      <h2 id="availability">Availability</h2>
      <div className="row">
        <label htmlFor="day" style={{ marginTop: 0 }}>
          Day ({timeZone})
        </label>
        <input
          id="day"
          type="date"
          value={date ?? ""}
          onChange={(e) => {
            setPick(null);
            setDate(e.target.value);
            const url = new URL(window.location.href);
            if (e.target.value) url.searchParams.set("day", e.target.value);
            else url.searchParams.delete("day");
            window.history.replaceState(null, "", url);
          }}
          style={{ width: "auto" }}
        />
        <span className="muted" role="status" aria-live="polite" data-testid="live-status">
          {live ? "Live: updates as others book" : "Connecting to live updates…"}
        </span>
      </div>
      <FormMessage error={error} />
      {items === null ? (
        <p className="muted">Loading availability…</p>
      ) : columns.length === 0 ? (
        <p>{hourly.length > 0 ? "Nothing free by the hour on this day. Try another day." : "Nothing here is booked by the hour."}</p>
      ) : (
        <div className="grid-wrap">
          <table className="grid" data-updated={updatedAt ?? undefined}>
            <caption className="muted">Free slots; pick a start time, or a taken one to join its waitlist.</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                {columns.map((t) => (
                  <th key={t} scope="col">
                    {localHour(t, timeZone)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.item_id}>
                  <th scope="row">
                    {item.identifier}
                    <br />
                    <span className="muted">
                      {item.hourly ? `${money(item.price_per_hour.amount, item.price_per_hour.currency)}/h` : "whole days"}
                    </span>
                  </th>
                  {!item.hourly ? (
                    <td colSpan={columns.length} className="taken">
                      Not bookable by the hour
                    </td>
                  ) : (
                    columns.map((t) => {
                      const free = isFree(item, t, t + Math.max(step, item.slot_minutes) * MINUTE);
                      const aligned = ((t - (dayStart ?? 0)) / MINUTE) % item.slot_minutes === 0;
                      const when = `${item.identifier} at ${localHour(t, timeZone)}`;
                      // Taken time still ahead can be picked to wait for it.
                      if (!free && aligned && updatedAt != null && t >= updatedAt) {
                        return (
                          <td key={t} className="taken">
                            <button
                              type="button"
                              aria-pressed={pick?.itemId === item.item_id && pick.start === t}
                              aria-label={`${when}: taken`}
                              title="Taken: pick it to join the waitlist"
                              onClick={() => choose(item, t)}
                            >
                              ·
                            </button>
                          </td>
                        );
                      }
                      if (!free) {
                        return (
                          <td key={t} className="taken" aria-label={`${when}: taken`}>
                            ·
                          </td>
                        );
                      }
                      return (
                        <td key={t}>
                          {aligned ? (
                            <button
                              type="button"
                              aria-pressed={pick?.itemId === item.item_id && pick.start === t}
                              aria-label={`${when}: free`}
                              onClick={() => choose(item, t)}
                            >
                              ✓
                            </button>
                          ) : (
                            <span aria-label={`${when}: free`}>✓</span>
                          )}
                        </td>
                      );
                    })
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pick && picked && (
        <div className="card" style={{ marginTop: "1rem" }}>
          <p>
            <strong>{picked.identifier}</strong> from {localHour(pick.start, timeZone)} ({timeZone})
          </p>
          <label htmlFor="length">Length</label>
          <select id="length" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            {lengths.map((m) => (
              <option key={m} value={m}>
                {m >= 60 ? `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}` : `${m} min`} (until{" "}
                {localHour(pick.start + m * MINUTE, timeZone)})
              </option>
            ))}
          </select>
          {firstDate && (
            <RepeatFields
              value={repeat}
              onChange={setRepeat}
              firstDate={firstDate}
              errors={checkRepeat ? repeatProblems : {}}
            />
          )}
          {shownRefusal && (
            <div className="form-error" role="alert" style={{ marginTop: "1rem" }}>
              {shownRefusal.refused.length === 0 ? (
                Object.values(shownRefusal.problem.fields).join(" ") || shownRefusal.problem.message
              ) : (
                <>
                  {shownRefusal.onConflict === "refuse"
                    ? "Nothing was booked: these dates are taken or cannot be booked."
                    : "None of the dates could be booked."}
                  <RefusedList refused={shownRefusal.refused} timeZone={timeZone} />
                  {shownRefusal.onConflict === "refuse" && (
                    <button
                      type="button"
                      className="secondary"
                      disabled={booking}
                      onClick={() => {
                        setRepeat({ ...repeat, onConflict: "skip" });
                        void bookSeries("skip");
                      }}
                    >
                      Book the free ones instead
                    </button>
                  )}
                </>
              )}
            </div>
          )}
          {shownJoined?.message && (
            <p className="form-error" role="alert">
              {shownJoined.message}
            </p>
          )}
          {shownJoined?.entry ? (
            <p className="notice" role="status" data-testid="waitlist-joined">
              {shownJoined.entry.status === "offered" && shownJoined.entry.offer_booking_id ? (
                <>
                  This time is held for you now, from the waitlist:{" "}
                  <Link href={`/bookings/${shownJoined.entry.offer_booking_id}`}>pay for it</Link> before the hold runs out.
                </>
              ) : (
                <>
                  You are in line for {picked.identifier}, {localTime(shownJoined.entry.start_time, timeZone)}–
                  {localHour(shownJoined.entry.end_time, timeZone)} ({timeZone}). We&apos;ll notify you when it frees:
                  the first in line gets it held for about 15 minutes to pay. See <Link href="/bookings#waitlist">your waitlist</Link>.
                </>
              )}
            </p>
          ) : waitable ? (
            <div data-testid="waitlist-offer">
              {shownTaken ? (
                <p className="form-error" role="alert">
                  {shownTaken.message}
                </p>
              ) : (
                <p>This time is taken (or not open for booking).</p>
              )}
              <p className="muted">
                Join the waitlist: when it frees, the first in line gets it held for them to pay, and a notification.
              </p>
              <p>
                {session ? (
                  <button type="button" onClick={joinWaitlist} disabled={joining}>
                    {joining ? "Joining…" : "Join the waitlist for this time"}
                  </button>
                ) : (
                  <Link href={`/signin?next=/spaces/${spaceId}`}>Sign in to join the waitlist</Link>
                )}
              </p>
            </div>
          ) : null}
          {!waitable && session && repeat.frequency === "none" && (
            <p>
              <label htmlFor="promo-code" style={{ marginTop: 0 }}>
                Promo code (optional)
              </label>
              <input
                id="promo-code"
                value={promo}
                onChange={(e) => setPromo(e.target.value)}
                autoComplete="off"
                maxLength={32}
                style={{ width: "auto" }}
              />
            </p>
          )}
          {!waitable && (
            <p>
              {session ? (
                <button type="button" onClick={book} disabled={booking}>
                  {booking ? "Booking…" : repeat.frequency === "none" ? "Book" : "Book series"}
                </button>
              ) : (
                <Link href={`/signin?next=/spaces/${spaceId}`}>Sign in to book</Link>
              )}
            </p>
          )}
        </div>
      )}
      {items && date && <StayForm spaceId={spaceId} items={items} date={date} timeZone={timeZone} signedIn={!!session} />}
    </section>
  );
}
