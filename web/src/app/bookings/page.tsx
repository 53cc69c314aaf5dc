"use client";
import Link from "next/link";
import { useEffect, useState } from "react";

import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import type { components } from "@/api/schema";
import { FormMessage } from "@/components/Field";
import { MyWaitlist } from "@/components/MyWaitlist";
import { useMe } from "@/components/useMe";
import { localTime, money, stayDays, stayLength } from "@/lib/format";

type Booking = components["schemas"]["BookingView"];

export default function MyBookings() {
  const api = useApi();
  const { me, ready, signedIn } = useMe();
  const [when, setWhen] = useState<"upcoming" | "past">("upcoming");
  const [items, setItems] = useState<Booking[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!me) return;
    setItems(null);
    void api
      .GET("/users/{userId}/bookings", { params: { path: { userId: me.id }, query: { when } } })
      .then(({ data, error }) => (error || !data ? setError(show(error).message) : setItems(data.items)));
  }, [api, me, when]);

  if (ready && !signedIn) return <p>Please <Link href="/signin?next=/bookings">sign in</Link> to see your bookings.</p>;
  return (
    <>
      <h1>My bookings</h1>
      <div className="row" role="group" aria-label="Which bookings">
        <button type="button" aria-pressed={when === "upcoming"} className={when === "upcoming" ? "" : "secondary"} onClick={() => setWhen("upcoming")}>
          Upcoming
        </button>
        <button type="button" aria-pressed={when === "past"} className={when === "past" ? "" : "secondary"} onClick={() => setWhen("past")}>
          Past
        </button>
      </div>
      <FormMessage error={error} />
      {items === null ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p>No {when} bookings. <Link href="/">Find a space</Link>.</p>
      ) : (
        <ul className="cards">
          {items.map((b) => (
            <li key={b.id} className="card">
              <Link href={`/bookings/${b.id}`}>{b.item_identifier}</Link> · {b.status}
              <br />
              {b.unit === "hour"
                ? localTime(b.start_time, b.time_zone)
                : `${stayLength(b.unit, b.quantity)}: ${stayDays(b.start_time, b.end_time, b.time_zone)}`}{" "}
              ({b.time_zone})
              <br />
              {money(b.price.total, b.price.currency)}
              {when === "past" && b.status === "confirmed" && (
                <>
                  {" · "}
                  <Link href={`/spaces/${b.space_id}/review?booking=${b.id}`}>Review</Link>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <MyWaitlist />
    </>
  );
}
