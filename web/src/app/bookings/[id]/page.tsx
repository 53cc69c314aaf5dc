"use client";
import Link from "next/link";
import { use, useCallback, useEffect, useState } from "react";

import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import type { components } from "@/api/schema";
import { Countdown } from "@/components/Countdown";
import { FormMessage } from "@/components/Field";
import { Pay } from "@/components/Pay";
import { PriceBreakdown } from "@/components/PriceBreakdown";
import { useSession } from "@/components/useSession";
import { localTime, money, stayDays, stayLength } from "@/lib/format";

type Booking = components["schemas"]["BookingView"];

export default function BookingPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const api = useApi();
  const { session, ready } = useSession();
  const [b, setB] = useState<Booking | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [openedAt] = useState(() => Date.now());

  const load = useCallback(async () => {
    const { data, error } = await api.GET("/bookings/{bookingId}", { params: { path: { bookingId: id } } });
    if (error || !data) return setError(show(error).message);
    setB(data);
    return data;
  }, [api, id]);

  useEffect(() => {
    if (session) void load();
  }, [session, load]);

  // After paying, the webhook confirms the booking: follow it until it settles.
  useEffect(() => {
    if (!waiting) return;
    let tries = 0;
    const t = setInterval(async () => {
      const data = await load();
      if (++tries > 60 || (data && data.status !== "pending")) {
        setWaiting(false);
        clearInterval(t);
      }
    }, 1000);
    return () => clearInterval(t);
  }, [waiting, load]);

  async function cancel() {
    const { data, error } = await api.PUT("/bookings/{bookingId}/cancel", { params: { path: { bookingId: id } } });
    setConfirming(false);
    if (error || !data) return setError(show(error).message);
    setB(data);
  }

  async function checkIn() {
    const { data, error } = await api.POST("/bookings/{bookingId}/check-in", { params: { path: { bookingId: id } } });
    if (error || !data) return setError(show(error).message);
    setError(null);
    setB(data);
  }

  if (ready && !session) return <p>Please <Link href={`/signin?next=/bookings/${id}`}>sign in</Link> to see this booking.</p>;
  if (!b) return error ? <FormMessage error={error} /> : <p className="muted">Loading the booking…</p>;

  const ended = Date.parse(b.end_time) <= openedAt;
  // An occurrence of an unpaid series is paid, or cancelled, with the whole series.
  const seriesUnpaid = !!b.series && b.status === "pending";
  // A month of an open-ended rental is left by ending the rental (its page).
  const cancellable = (b.status === "pending" || b.status === "confirmed") && !ended && !seriesUnpaid && !b.rental;
  // Check-in opens the space's window before the start (an hour where none is required).
  const windowMs = (b.check_in?.window_minutes ?? 60) * 60_000;
  // A stay (whole days from midnight) has no check-in.
  const checkInOpen =
    b.unit === "hour" &&
    b.status === "confirmed" &&
    !b.checked_in_at &&
    !ended &&
    openedAt >= Date.parse(b.start_time) - windowMs;
  return (
    <>
      <h1>Booking of {b.item_identifier}</h1>
      <p>
        {b.unit === "hour" ? (
          `${localTime(b.start_time, b.time_zone)} – ${localTime(b.end_time, b.time_zone)}`
        ) : (
          <>
            <strong data-testid="booking-stay">{stayLength(b.unit, b.quantity)}</strong>: {stayDays(b.start_time, b.end_time, b.time_zone)}
          </>
        )}{" "}
        ({b.time_zone}) · <Link href={`/spaces/${b.space_id}`}>the space</Link>
      </p>
      {b.rental && (
        <p data-testid="booking-rental">
          Part of an open-ended rental: <Link href={`/rentals/${b.rental.id}`}>month {b.rental.index + 1} of the rental</Link>
        </p>
      )}
      {b.series && (
        <p data-testid="booking-series">
          Part of a series: <Link href={`/series/${b.series.id}`}>occurrence {b.series.index + 1} of the series</Link>
        </p>
      )}
      <p>
        Status: <strong data-testid="booking-status">{b.status}</strong>
        {waiting && <span className="muted"> (waiting for the payment to be confirmed…)</span>}
      </p>
      <FormMessage error={error} />
      <PriceBreakdown price={b.price} />
      {b.status === "pending" && b.rental && (
        <p data-testid="rental-held">Held for the rental: the next monthly charge pays it.</p>
      )}
      {b.status === "pending" && !b.rental && b.hold_expires_at && <Countdown until={b.hold_expires_at} />}
      {seriesUnpaid && b.series && (
        <p className="notice" role="status">
          This occurrence is paid with the rest of its series, in one payment:{" "}
          <Link href={`/series/${b.series.id}`}>pay on the series page</Link> (or cancel the whole series there).
        </p>
      )}
      {b.status === "pending" && b.payment?.client_secret && !waiting && !seriesUnpaid && (
        <section aria-labelledby="pay">
          <h2 id="pay">Pay {money(b.payment.amount, b.payment.currency)}</h2>
          <Pay clientSecret={b.payment.client_secret} intentId={b.payment.stripe_payment_intent_id} onPaid={() => setWaiting(true)} />
        </section>
      )}
      {b.check_in && b.status === "confirmed" && !b.checked_in_at && (
        <p className="muted">
          Check in from {b.check_in.window_minutes} minutes before the start: without it the booking is released{" "}
          {b.check_in.grace_minutes} minutes after the start ({b.check_in.no_show_refund_percent} % refunded).
        </p>
      )}
      {b.checked_in_at && (
        <p className="notice" role="status">
          Checked in at {localTime(b.checked_in_at, b.time_zone)}.
        </p>
      )}
      {b.no_show && (
        <p className="notice" role="status">
          Released: nobody checked in within {b.check_in?.grace_minutes ?? 0} minutes of the start.
        </p>
      )}
      {checkInOpen && (
        <p>
          <button type="button" onClick={checkIn}>
            Check in
          </button>
        </p>
      )}
      {b.payment && b.payment.refunded_amount > 0 && (
        <p className="notice" role="status" data-testid="refunded">
          Refunded {money(b.payment.refunded_amount, b.payment.currency)}.
        </p>
      )}
      {b.refund && b.refund.amount === 0 && b.status === "cancelled" && (
        <p className="notice" role="status">Cancelled; under the policy nothing is refunded.</p>
      )}
      {cancellable && (
        <section aria-labelledby="cancel">
          <h2 id="cancel">Cancel</h2>
          {!confirming ? (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              Cancel this booking…
            </button>
          ) : (
            <div role="dialog" aria-labelledby="cancel-q" className="card">
              <p id="cancel-q">
                {b.refund_if_cancelled
                  ? `Cancelling now refunds ${money(b.refund_if_cancelled.amount, b.price.currency)} (${b.refund_if_cancelled.percent} % under the space's policy).`
                  : "Nothing has been charged: cancelling releases the hold."}{" "}
                Cancel the booking?
              </p>
              <div className="row">
                <button type="button" className="danger" onClick={cancel}>
                  Yes, cancel it
                </button>
                <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                  Keep it
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
