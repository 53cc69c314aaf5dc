"use client";
// A recurring series: each occurrence in the space's zone with its booking's status (or
// why it was not booked), the one payment that pays them all while it is due, and
// cancelling the rest of the series (the whole of it while it is unpaid).
import Link from "next/link";
import { use, useCallback, useEffect, useId, useState } from "react";

import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import type { components } from "@/api/schema";
import { Countdown } from "@/components/Countdown";
import { FormMessage } from "@/components/Field";
import { Pay } from "@/components/Pay";
import { useSession } from "@/components/useSession";
import { localHour, localTime, money } from "@/lib/format";
import { describeRrule, reason } from "@/lib/series";

type Series = components["schemas"]["SeriesView"];
type Booking = components["schemas"]["BookingView"];

const active = (b: Booking) => b.status === "pending" || b.status === "confirmed";
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export default function SeriesPage({ params }: { params: Promise<{ seriesId: string }> }) {
  const { seriesId } = use(params);
  const api = useApi();
  const { session, ready } = useSession();
  const fromId = useId();
  const [s, setS] = useState<Series | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [waiting, setWaiting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  // Where cancelling starts: "now", or an occurrence's start (a paid series only).
  const [from, setFrom] = useState("now");
  const [openedAt] = useState(() => Date.now());

  const load = useCallback(async () => {
    const { data, error } = await api.GET("/series/{seriesId}", { params: { path: { seriesId } } });
    if (error || !data) return setError(show(error).message);
    setS(data);
    return data;
  }, [api, seriesId]);

  useEffect(() => {
    if (session) void load();
  }, [session, load]);

  // After paying, the webhook confirms every occurrence: follow them until they settle.
  useEffect(() => {
    if (!waiting) return;
    let tries = 0;
    const t = setInterval(async () => {
      const data = await load();
      const pending = data?.occurrences.some((o) => o.booking?.status === "pending");
      if (++tries > 60 || (data && !pending)) {
        setWaiting(false);
        clearInterval(t);
      }
    }, 1000);
    return () => clearInterval(t);
  }, [waiting, load]);

  if (ready && !session) return <p>Please <Link href={`/signin?next=/series/${seriesId}`}>sign in</Link> to see this series.</p>;
  if (!s) return error ? <FormMessage error={error} /> : <p className="muted">Loading the series…</p>;

  const tz = s.time_zone;
  const bookings = s.occurrences.flatMap((o) => (o.booking ? [o.booking] : []));
  const item = bookings[0]?.item_identifier ?? "an item";
  const pending = bookings.filter((b) => b.status === "pending");
  const unpaid = pending.length > 0;
  const holdEnds = pending
    .map((b) => b.hold_expires_at)
    .filter((t): t is string => !!t)
    .sort()[0];
  const currency = s.payment?.currency ?? bookings[0]?.price.currency ?? "EUR";
  const total = s.payment?.amount ?? sum(bookings.map((b) => b.price.total));
  const refunded = sum(bookings.map((b) => b.payment?.refunded_amount ?? 0));
  // What cancelling the rest would cancel: active occurrences not yet over (paid: from
  // the chosen start on; unpaid: all of them).
  const remaining = bookings.filter((b) => active(b) && Date.parse(b.end_time) > openedAt);
  const upcoming = remaining.filter((b) => Date.parse(b.start_time) > openedAt);
  const fromAt = from === "now" ? openedAt : Date.parse(from);
  const toCancel = unpaid ? remaining : remaining.filter((b) => Date.parse(b.start_time) >= fromAt);
  const refund = sum(toCancel.map((b) => b.refund_if_cancelled?.amount ?? 0));
  const span = (start: string, end: string) => `${localTime(start, tz)}–${localHour(end, tz)}`;

  async function cancel() {
    setCancelling(true);
    const body = unpaid ? {} : { from: from === "now" ? new Date().toISOString() : from };
    const { data, error } = await api.PUT("/series/{seriesId}/cancel", { params: { path: { seriesId } }, body });
    setCancelling(false);
    setConfirming(false);
    if (error || !data) return setError(show(error).message);
    setError(null);
    setS(data);
    const cancelled = data.occurrences.filter((o) => o.booking?.status === "cancelled").length;
    setNotice(`Cancelled: ${cancelled} occurrence${cancelled === 1 ? " is" : "s are"} now cancelled.`);
  }

  return (
    <>
      <h1>Series of {item}</h1>
      <p>
        {describeRrule(s.rrule)} ({tz}) · <Link href={`/spaces/${s.space_id}`}>the space</Link>
      </p>
      <p data-testid="series-summary">
        {s.booked} booked{s.not_booked > 0 && `, ${s.not_booked} not booked (why is shown below)`}
      </p>
      <p>
        Total: <strong data-testid="series-total">{money(total, currency)}</strong>
        {s.payment && " (one payment for every booked occurrence)"}
        {waiting && <span className="muted"> (waiting for the payment to be confirmed…)</span>}
      </p>
      <FormMessage error={error} notice={notice} />
      {unpaid && holdEnds && !waiting && <Countdown until={holdEnds} />}
      {unpaid && s.payment?.client_secret && !waiting && (
        <section aria-labelledby="pay">
          <h2 id="pay">
            Pay {money(s.payment.amount, s.payment.currency)} for {pending.length} occurrence{pending.length === 1 ? "" : "s"}
          </h2>
          <Pay clientSecret={s.payment.client_secret} intentId={s.payment.stripe_payment_intent_id} onPaid={() => setWaiting(true)} />
        </section>
      )}
      {refunded > 0 && (
        <p className="notice" role="status" data-testid="series-refunded">
          Refunded {money(refunded, currency)}.
        </p>
      )}
      <section aria-labelledby="occurrences">
        <h2 id="occurrences">Occurrences</h2>
        <table>
          <caption className="muted">Times in the space&apos;s zone ({tz})</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Status</th>
              <th scope="col">Price</th>
            </tr>
          </thead>
          <tbody>
            {s.occurrences.map((o) => (
              <tr key={o.index} data-testid="occurrence">
                <th scope="row">{o.index + 1}</th>
                <td>
                  {o.booking ? (
                    <Link href={`/bookings/${o.booking.id}`}>{span(o.start_time, o.end_time)}</Link>
                  ) : (
                    span(o.start_time, o.end_time)
                  )}
                </td>
                <td data-testid="occurrence-status">
                  {o.booking ? o.booking.status : `not booked: ${reason(o.conflict)}`}
                </td>
                <td>{o.booking ? money(o.booking.price.total, o.booking.price.currency) : "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {remaining.length > 0 && !waiting && (
        <section aria-labelledby="cancel">
          <h2 id="cancel">Cancel</h2>
          {!confirming ? (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              Cancel the rest of the series…
            </button>
          ) : (
            <div role="dialog" aria-labelledby="cancel-q" className="card">
              {!unpaid && upcoming.length > 0 && (
                <>
                  <label htmlFor={fromId} style={{ marginTop: 0 }}>
                    Cancel from
                  </label>
                  <select id={fromId} value={from} onChange={(e) => setFrom(e.target.value)}>
                    <option value="now">Now (every occurrence still to come)</option>
                    {upcoming.map((b) => (
                      <option key={b.id} value={b.start_time}>
                        {localTime(b.start_time, tz)}
                      </option>
                    ))}
                  </select>
                </>
              )}
              <p id="cancel-q">
                {unpaid
                  ? `Nothing has been charged: cancelling releases all ${toCancel.length} held occurrence${toCancel.length === 1 ? "" : "s"} (an unpaid series is cancelled as a whole).`
                  : `Cancelling ${toCancel.length} occurrence${toCancel.length === 1 ? "" : "s"} ${
                      refund > 0 ? `refunds ${money(refund, currency)}` : "refunds nothing"
                    } under the space's policy.`}{" "}
                Cancel them?
              </p>
              <div className="row">
                <button type="button" className="danger" onClick={cancel} disabled={cancelling || toCancel.length === 0}>
                  {cancelling ? "Cancelling…" : "Yes, cancel them"}
                </button>
                <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                  Keep them
                </button>
              </div>
            </div>
          )}
        </section>
      )}
      <p>
        <Link href="/bookings">All my bookings</Link>
      </p>
    </>
  );
}
