"use client";
// Booking whole local days from the day picked above the availability grid: a day pass,
// or a week or month stay, of an item with such a rate. The booking page then shows the
// price and takes the payment, as for an hourly booking.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type ReactNode } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import type { components } from "@/api/schema";
import { FormMessage } from "@/components/Field";
import { RentForm } from "@/components/RentForm";
import { dayRange, money, plusDays, stayEnd, stayLength, type StayUnit } from "@/lib/format";

type Item = components["schemas"]["ItemAvailability"];

const UNITS: { unit: StayUnit; name: string; most: number }[] = [
  { unit: "day", name: "Day pass", most: 31 },
  { unit: "week", name: "Week", most: 4 },
  { unit: "month", name: "Month", most: 1 },
];

/** The units an item is sold by as whole days, with their rates. */
function offered(item: Item) {
  return UNITS.flatMap((u) => {
    const rate = item.stay_rates[u.unit];
    return rate == null ? [] : [{ ...u, rate }];
  });
}

/** A labelled select whose API error is shown beneath it. */
function Choice(props: { label: string; value: string; onChange: (v: string) => void; error?: string; children: ReactNode }) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      >
        {props.children}
      </select>
      {props.error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

export function StayForm(props: { spaceId: string; items: Item[]; date: string; timeZone: string; signedIn: boolean }) {
  const { spaceId, date, timeZone, signedIn } = props;
  const api = useApi();
  const router = useRouter();
  const [itemId, setItemId] = useState<string | null>(null);
  const [unit, setUnit] = useState<StayUnit>("day");
  const [quantity, setQuantity] = useState(1);
  // A refusal, for the day it was about.
  const [refused, setRefused] = useState<{ date: string; problem: Shown } | null>(null);
  const [booking, setBooking] = useState(false);

  // What is chosen, kept valid as the items change (a live update, another day).
  const items = props.items.filter((i) => offered(i).length > 0);
  const item = items.find((i) => i.item_id === itemId) ?? items[0];
  const units = item ? offered(item) : [];
  const chosen = units.find((u) => u.unit === unit) ?? units[0];
  if (!item || !chosen) return null;
  const count = Math.min(quantity, chosen.most);
  const length = stayLength(chosen.unit, count);
  const lastDay = plusDays(stayEnd(date, chosen.unit, count), -1);
  const currency = item.price_per_hour.currency;

  async function book(stay: { itemId: string; unit: StayUnit; quantity: number }) {
    setBooking(true);
    const { data, error } = await api.POST("/bookings", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      body: { bookable_item_id: stay.itemId, unit: stay.unit, start_date: date, quantity: stay.quantity },
    });
    setBooking(false);
    if (error || !data) return setRefused({ date, problem: show(error) });
    router.push(`/bookings/${data.id}`);
  }

  /** A new choice clears the last refusal. */
  function pick(apply: () => void) {
    apply();
    setRefused(null);
  }
  const problem = refused?.date === date ? refused.problem : null;
  const err = (k: string) => problem?.fields[k];
  // Fields without a select of their own (the start date is the day picked above).
  const other = Object.entries(problem?.fields ?? {})
    .filter(([k]) => k !== "unit" && k !== "quantity")
    .map(([, m]) => m);
  return (
    <form
      className="card"
      style={{ marginTop: "1rem" }}
      aria-labelledby="whole-days"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void book({ itemId: item.item_id, unit: chosen.unit, quantity: count });
      }}
    >
      <h3 id="whole-days" style={{ marginTop: 0 }}>
        Whole days from {dayRange(date, date)}
      </h3>
      <FormMessage error={other.length > 0 ? other.join(" ") : problem?.message} />
      <div className="filters">
        <Choice label="Item" value={item.item_id} onChange={(v) => pick(() => setItemId(v))}>
          {items.map((i) => (
            <option key={i.item_id} value={i.item_id}>
              {i.identifier}
            </option>
          ))}
        </Choice>
        <Choice label="Unit" value={chosen.unit} onChange={(v) => pick(() => setUnit(v as StayUnit))} error={err("unit")}>
          {units.map((u) => (
            <option key={u.unit} value={u.unit}>
              {`${u.name} – ${money(u.rate, currency)}`}
            </option>
          ))}
        </Choice>
        <Choice label="Quantity" value={String(count)} onChange={(v) => pick(() => setQuantity(Number(v)))} error={err("quantity")}>
          {Array.from({ length: chosen.most }, (_, k) => k + 1).map((n) => (
            <option key={n} value={n}>
              {`${n} ${chosen.unit}${n === 1 ? "" : "s"}`}
            </option>
          ))}
        </Choice>
      </div>
      <p>
        {length}: {dayRange(date, lastDay)} ({timeZone}), midnight to midnight.
        <br />
        Price: <strong data-testid="stay-price">{money(chosen.rate * count, currency)}</strong>
      </p>
      <p>
        {signedIn ? (
          <button type="submit" disabled={booking}>
            {booking ? "Booking…" : `Book ${length.toLowerCase()}`}
          </button>
        ) : (
          <Link href={`/signin?next=/spaces/${spaceId}`}>Sign in to book</Link>
        )}
      </p>
      {signedIn && chosen.unit === "month" && item.stay_rates.open_ended && (
        <RentForm itemId={item.item_id} identifier={item.identifier} date={date} rate={chosen.rate} currency={currency} />
      )}
    </form>
  );
}
