"use client";
// An open-ended rental: the rent, each month's booking (paid months confirmed, the next
// month held for its invoice), and ending it (no further charge; the months paid stay).
import Link from "next/link";
import { use, useCallback, useEffect, useState } from "react";

import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import type { components } from "@/api/schema";
import { FormMessage } from "@/components/Field";
import { useMe } from "@/components/useMe";
import { useSession } from "@/components/useSession";
import { dayRange, localDate, money, plusDays } from "@/lib/format";

type Rental = components["schemas"]["RentalView"];

const ENDED: Record<string, string> = {
  ended_by_member: "ended by the member",
  ended_by_operator: "ended by the space",
  not_paid: "the rent was not paid",
  next_month_unavailable: "the next month was booked by someone else before it could be held",
  month_unavailable: "a paid month could not be given (its payment is refunded)",
  payment_refused: "the card was refused",
};

export default function RentalPage({ params }: { params: Promise<{ rentalId: string }> }) {
  const { rentalId } = use(params);
  const api = useApi();
  const { session, ready } = useSession();
  const { me } = useMe();
  const [r, setR] = useState<Rental | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [ending, setEnding] = useState(false);

  const load = useCallback(async () => {
    const { data, error } = await api.GET("/rentals/{rentalId}", { params: { path: { rentalId } } });
    if (error || !data) return setError(show(error).message);
    setR(data);
    return data;
  }, [api, rentalId]);

  useEffect(() => {
    if (session) void load();
  }, [session, load]);

  // Starting: the first invoice's news confirms month 0 within seconds; follow it.
  const starting = r?.status === "starting";
  useEffect(() => {
    if (!starting) return;
    let tries = 0;
    const t = setInterval(async () => {
      const data = await load();
      if (++tries > 60 || (data && data.status !== "starting")) clearInterval(t);
    }, 1000);
    return () => clearInterval(t);
  }, [starting, load]);

  if (ready && !session) return <p>Please <Link href={`/signin?next=/rentals/${rentalId}`}>sign in</Link> to see this rental.</p>;
  if (!r) return error ? <FormMessage error={error} /> : <p className="muted">Loading the rental…</p>;

  const item = r.months[0]?.item_identifier ?? "the office";
  const tz = r.months[0]?.time_zone ?? "UTC";
  const held = r.months.find((m) => m.status === "pending");
  const mine = me?.id === r.user_id;
  const lastDay = (end: string) => plusDays(localDate(Date.parse(end), tz), -1);

  async function end() {
    setEnding(true);
    const { data, error } = await api.PUT("/rentals/{rentalId}/end", { params: { path: { rentalId } } });
    setEnding(false);
    setConfirming(false);
    if (error || !data) return setError(show(error).message);
    setError(null);
    setR(data);
    setNotice("Ended: nothing more will be charged; the months paid stay yours.");
  }

  return (
    <>
      <h1>Rental of {item}</h1>
      <p>
        Open-ended from {r.start_date} ({tz}) · <Link href={`/spaces/${r.space_id}`}>the space</Link>
      </p>
      <p>
        Rent: <strong data-testid="rental-rent">{money(r.rent.amount, r.rent.currency)}</strong> a month, charged each month
      </p>
      <p>
        Status: <strong data-testid="rental-status">{r.status}</strong>
        {r.status === "starting" && <span className="muted"> (waiting for the first month&apos;s payment…)</span>}
        {r.status === "ended" && r.end_reason && <span> ({ENDED[r.end_reason] ?? r.end_reason})</span>}
      </p>
      <FormMessage error={error} notice={notice} />
      <section aria-labelledby="months">
        <h2 id="months">Months</h2>
        <table>
          <caption className="muted">
            {r.months_paid} paid; days in the space&apos;s zone ({tz})
          </caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Days</th>
              <th scope="col">Status</th>
              <th scope="col">Rent</th>
            </tr>
          </thead>
          <tbody>
            {r.months.map((m) => (
              <tr key={m.id} data-testid="rental-month">
                <th scope="row">{(m.rental?.index ?? 0) + 1}</th>
                <td>
                  <Link href={`/bookings/${m.id}`}>{dayRange(localDate(Date.parse(m.start_time), tz), lastDay(m.end_time))}</Link>
                </td>
                <td data-testid="rental-month-status">{m.status === "pending" ? "held for the next payment" : m.status}</td>
                <td>{money(m.price.total, m.price.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {r.status !== "ended" && (
        <section aria-labelledby="end">
          <h2 id="end">End the rental</h2>
          {!confirming ? (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              End the rental…
            </button>
          ) : (
            <div role="dialog" aria-labelledby="end-q" className="card">
              <p id="end-q">
                {mine ? "" : "You are ending this member's rental. "}Nothing more will be charged.{" "}
                {held
                  ? `The month held for the next payment (from ${localDate(Date.parse(held.start_time), tz)}) is released; `
                  : ""}
                the {r.months_paid} month{r.months_paid === 1 ? "" : "s"} paid stay{r.months_paid === 1 ? "s" : ""}{" "}
                {mine ? "yours" : "the member's"}. End it?
              </p>
              <div className="row">
                <button type="button" className="danger" onClick={end} disabled={ending}>
                  {ending ? "Ending…" : "Yes, end it"}
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
