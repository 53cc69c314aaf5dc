"use client";
import Link from "next/link";
import { useCallback, useEffect, useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import type { components } from "@/api/schema";
import { Field, FormMessage } from "@/components/Field";
import { AmenityChecklist } from "@/components/AmenityChecklist";
import { EditSpace } from "@/components/EditSpace";
import { ReportChart } from "@/components/ReportChart";
import { SpaceBookings } from "@/components/SpaceBookings";
import { SpaceInvoices } from "@/components/SpaceInvoices";
import { SpacePromos } from "@/components/SpacePromos";
import { useSession } from "@/components/useSession";

type Report = components["schemas"]["Report"];
type Space = components["schemas"]["Space"];
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"] as const;
const STAYS = [
  { unit: "day", label: "Day pass price" },
  { unit: "week", label: "Week price" },
  { unit: "month", label: "Month price" },
] as const;

function CreateSpace({ onCreated }: { onCreated: (id: string, name: string) => void }) {
  const api = useApi();
  const [problem, setProblem] = useState<Shown | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? "").trim();
    const hours = [{ open: s("open"), close: s("close") }];
    const weekend = f.get("weekend") ? hours : [];
    const { data, error } = await api.POST("/spaces", {
      body: {
        name: s("name"),
        description: s("description"),
        address: { line1: s("line1"), city: s("city"), postal_code: s("postal_code"), country: s("country") },
        location: { lat: Number(s("lat")), lng: Number(s("lng")) },
        time_zone: s("time_zone"),
        opening_hours: { ...Object.fromEntries(WEEKDAYS.map((d) => [d, hours])), saturday: weekend, sunday: weekend },
        amenities: f.getAll("amenities").map(String),
        cancellation_policy: {
          full_refund_hours: Number(s("full_refund_hours")),
          partial_refund_hours: Number(s("partial_refund_hours")),
          partial_refund_percent: Number(s("partial_refund_percent")),
        },
      },
    });
    if (error || !data) return setProblem(show(error));
    setProblem(null);
    onCreated(data.id, data.name);
  }
  const err = (k: string) => problem?.fields[k];
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-space">
      <h2 id="new-space">New space</h2>
      <FormMessage error={problem?.message} />
      <Field label="Name" name="name" error={err("name")} />
      <Field label="Description" name="description" error={err("description")} />
      <Field label="Street and number" name="line1" error={err("address.line1")} />
      <Field label="Postal code" name="postal_code" error={err("address.postal_code")} />
      <Field label="City" name="city" error={err("address.city")} />
      <Field label="Country (ISO code, e.g. DE)" name="country" maxLength={2} error={err("address.country")} />
      <Field label="Latitude" name="lat" inputMode="decimal" error={err("location.lat") ?? err("location")} />
      <Field label="Longitude" name="lng" inputMode="decimal" error={err("location.lng") ?? err("location")} />
      <Field label="Time zone (IANA, e.g. Europe/Berlin)" name="time_zone" defaultValue="Europe/Berlin" error={err("time_zone")} />
      <Field label="Opens (weekdays, local time)" name="open" type="time" defaultValue="08:00" error={err("opening_hours")} />
      <Field label="Closes" name="close" type="time" defaultValue="20:00" />
      <label style={{ fontWeight: 400 }}>
        <input type="checkbox" name="weekend" /> Also open on weekends
      </label>
      <AmenityChecklist />
      <fieldset>
        <legend>Cancellation policy</legend>
        <Field label="Full refund with at least (hours notice)" name="full_refund_hours" type="number" defaultValue="24" error={err("cancellation_policy.full_refund_hours")} />
        <Field label="Partial refund with at least (hours notice)" name="partial_refund_hours" type="number" defaultValue="2" error={err("cancellation_policy.partial_refund_hours")} />
        <Field label="Partial refund (%)" name="partial_refund_percent" type="number" defaultValue="50" error={err("cancellation_policy.partial_refund_percent")} />
      </fieldset>
      <p>
        <button type="submit">Create space</button>
      </p>
    </form>
  );
}

function AddItem({ spaceId }: { spaceId: string }) {
  const api = useApi();
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? "").trim();
    // Prices are typed in major units; an empty stay price means that unit is not offered.
    const minor = (k: string) => Math.round(Number(s(k)) * 100);
    const unreadable = STAYS.filter((u) => s(u.unit) !== "" && !Number.isFinite(Number(s(u.unit))));
    if (unreadable.length > 0) {
      const fields = Object.fromEntries(unreadable.map((u) => [`stay_rates.${u.unit}`, "must be a price such as 25 or 25.50"]));
      return setProblem({ message: "Please correct the highlighted fields.", fields });
    }
    const stay_rates = Object.fromEntries(STAYS.filter((u) => s(u.unit) !== "").map((u) => [u.unit, minor(u.unit)]));
    const { data, error } = await api.POST("/spaces/{spaceId}/items", {
      params: { path: { spaceId } },
      body: {
        kind: s("kind") as "desk" | "room" | "office",
        identifier: s("identifier"),
        capacity: Number(s("capacity")),
        price_per_hour: { amount: minor("price"), currency: s("currency").toLowerCase() },
        slot_minutes: Number(s("slot_minutes")),
        min_booking_minutes: Number(s("min_booking_minutes")),
        max_booking_minutes: Number(s("max_booking_minutes")),
        hourly: f.get("hourly") !== null,
        stay_rates,
      },
    });
    if (error || !data) return setProblem(show(error));
    setProblem(null);
    setNotice(`Added ${data.identifier}.`);
  }
  const err = (k: string) => problem?.fields[k];
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-item">
      <h2 id="new-item">Add a bookable item</h2>
      <FormMessage error={problem?.message} notice={notice} />
      <label htmlFor="kind">Kind</label>
      <select id="kind" name="kind" defaultValue="room">
        <option value="desk">Desk</option>
        <option value="room">Meeting room</option>
        <option value="office">Office</option>
      </select>
      <Field label="Identifier (e.g. Room A)" name="identifier" error={err("identifier")} />
      <Field label="Seats" name="capacity" type="number" defaultValue="4" error={err("capacity")} />
      <Field label="Price per hour" name="price" inputMode="decimal" defaultValue="20" error={err("price_per_hour.amount") ?? err("price_per_hour")} />
      <Field label="Currency" name="currency" defaultValue="EUR" maxLength={3} error={err("price_per_hour.currency")} />
      <Field label="Slot (minutes: 15, 30 or 60)" name="slot_minutes" type="number" defaultValue="30" error={err("slot_minutes")} />
      <Field label="Shortest booking (minutes)" name="min_booking_minutes" type="number" defaultValue="30" error={err("min_booking_minutes")} />
      <Field label="Longest booking (minutes)" name="max_booking_minutes" type="number" defaultValue="480" error={err("max_booking_minutes")} />
      <label style={{ fontWeight: 400 }}>
        <input
          type="checkbox"
          name="hourly"
          defaultChecked
          aria-invalid={err("hourly") ? true : undefined}
          aria-describedby={err("hourly") ? "hourly-error" : undefined}
        />{" "}
        Bookable by the hour
      </label>
      {err("hourly") && (
        <p id="hourly-error" className="field-error" role="alert">
          {err("hourly")}
        </p>
      )}
      <fieldset>
        <legend>Whole days (leave empty where not offered)</legend>
        {STAYS.map((u) => (
          <Field key={u.unit} label={u.label} name={u.unit} inputMode="decimal" error={err(`stay_rates.${u.unit}`)} />
        ))}
      </fieldset>
      <p>
        <button type="submit">Add item</button>
      </p>
    </form>
  );
}

function SpaceReport({ spaceId }: { spaceId: string }) {
  const api = useApi();
  const [[monthAgo, today]] = useState(() => {
    const now = Date.now();
    return [new Date(now - 30 * 86_400_000).toISOString().slice(0, 10), new Date(now).toISOString().slice(0, 10)];
  });
  const [report, setReport] = useState<Report | null>(null);
  const [problem, setProblem] = useState<Shown | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const { data, error } = await api.GET("/spaces/{spaceId}/reports", {
      params: { path: { spaceId }, query: { from: String(f.get("from")), to: String(f.get("to")) } },
    });
    if (error || !data) return setProblem(show(error));
    setProblem(null);
    setReport(data);
  }
  return (
    <section aria-labelledby="report">
      <h2 id="report">Report</h2>
      <form onSubmit={submit} className="row" noValidate>
        <Field label="From" name="from" type="date" defaultValue={monthAgo} error={problem?.fields.from} />
        <Field label="To" name="to" type="date" defaultValue={today} error={problem?.fields.to} />
        <button type="submit">Show</button>
      </form>
      <FormMessage error={problem?.message} />
      {report && <ReportChart report={report} />}
    </section>
  );
}

function MySpaces({ onOpen, round }: { onOpen: (id: string, name: string) => void; round: number }) {
  const api = useApi();
  const [spaces, setSpaces] = useState<Space[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      api.GET("/users/me/spaces").then(({ data, error }) => (error || !data ? setError(show(error).message) : setSpaces(data.items))),
    [api],
  );
  useEffect(() => {
    void load();
  }, [load, round]);
  return (
    <section aria-labelledby="my-spaces">
      <h2 id="my-spaces">My spaces</h2>
      <FormMessage error={error} />
      {spaces === null ? (
        <p className="muted">Loading…</p>
      ) : spaces.length === 0 ? (
        <p>You have no spaces yet: create one below.</p>
      ) : (
        <ul className="cards">
          {spaces.map((s) => (
            <li key={s.id} className="card">
              <strong>{s.name}</strong>
              <br />
              <span className="muted">
                {s.address.city} · {s.time_zone}
              </span>
              <br />
              <button type="button" className="secondary" onClick={() => onOpen(s.id, s.name)} aria-label={`Manage ${s.name}`}>
                Manage
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function Operator() {
  const { session, ready } = useSession();
  const [space, setSpace] = useState<{ id: string; name: string } | null>(null);
  const [openId, setOpenId] = useState("");
  const [round, setRound] = useState(0);
  if (ready && !session) return <p>Please <Link href="/signin?next=/operator">sign in</Link>.</p>;
  return (
    <>
      <h1>Operator</h1>
      {space ? (
        <>
          <p className="notice" role="status">
            Managing <Link href={`/spaces/${space.id}`}>{space.name}</Link> ({space.id}){" "}
            <button type="button" className="link" onClick={() => setSpace(null)}>
              back to my spaces
            </button>
          </p>
          <AddItem spaceId={space.id} />
          <EditSpace spaceId={space.id} />
          <SpaceBookings spaceId={space.id} />
          <SpacePromos spaceId={space.id} />
          <SpaceInvoices spaceId={space.id} />
          <SpaceReport spaceId={space.id} />
        </>
      ) : (
        <>
          <MySpaces onOpen={(id, name) => setSpace({ id, name })} round={round} />
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (openId.trim()) setSpace({ id: openId.trim(), name: openId.trim() });
            }}
          >
            <Field label="Or manage a space by its id (admins)" name="space_id" value={openId} onChange={(e) => setOpenId(e.target.value)} />
            <button type="submit" className="secondary">
              Open
            </button>
          </form>
          <CreateSpace
            onCreated={(id, name) => {
              setRound((r) => r + 1);
              setSpace({ id, name });
            }}
          />
        </>
      )}
    </>
  );
}
