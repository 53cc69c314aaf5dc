"use client";
// An operator's edit of a space's rules: opening hours per weekday (local time, several
// intervals allowed), closures, pricing rules (peak and off-peak multipliers), the
// cancellation policy, check-in and the limits on each member's bookings (quotas). The API
// validates the merged space as a whole; its problems are shown next to the field they
// name, or listed when no input here shows that field.
import { useEffect, useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import type { components } from "@/api/schema";
import { Field, FormMessage } from "@/components/Field";
import { QuotaFields, quotaFields, readQuotas } from "@/components/QuotaFields";

type Space = components["schemas"]["SpaceResponse"];
type Rule = components["schemas"]["PricingRule"];
type Closure = components["schemas"]["Closure"];
type Interval = components["schemas"]["LocalInterval"];
const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
/** The fields the problem may name that an input below shows. */
const SHOWN_AT_INPUT = new Set([
  ...DAYS.map((d) => `opening_hours.${d}`),
  ...["full_refund_hours", "partial_refund_hours", "partial_refund_percent"].map((k) => `cancellation_policy.${k}`),
  ...["window_minutes", "grace_minutes", "no_show_refund_percent"].map((k) => `check_in.${k}`),
  ...quotaFields("quotas"),
]);

const hoursText = (list: Interval[] | undefined) => (list ?? []).map((i) => `${i.open}-${i.close}`).join(", ");
const parseHours = (text: string): Interval[] =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [open = "", close = ""] = part.split("-").map((x) => x.trim());
      return { open, close };
    });

export function EditSpace({ spaceId }: { spaceId: string }) {
  const api = useApi();
  const [space, setSpace] = useState<Space | null>(null);
  const [hours, setHours] = useState<Record<string, string>>({});
  const [closures, setClosures] = useState<Closure[]>([]);
  const [rules, setRules] = useState<Rule[]>([]);
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    void api.GET("/spaces/{spaceId}", { params: { path: { spaceId } } }).then(({ data, error }) => {
      if (error || !data) return setProblem(show(error));
      setSpace(data);
      setHours(Object.fromEntries(DAYS.map((d) => [d, hoursText(data.opening_hours[d])])));
      setClosures(data.closures ?? []);
      setRules(data.pricing_rules ?? []);
    });
  }, [api, spaceId]);

  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const limits = readQuotas(f, "quotas");
    if ("fields" in limits) {
      setNotice(null);
      return setProblem({ message: "Please correct the highlighted fields.", fields: limits.fields });
    }
    const { data, error } = await api.PATCH("/spaces/{spaceId}", {
      params: { path: { spaceId } },
      body: {
        opening_hours: Object.fromEntries(DAYS.map((d) => [d, parseHours(hours[d] ?? "")])),
        closures: closures.filter((c) => c.date),
        pricing_rules: rules,
        cancellation_policy: {
          full_refund_hours: Number(f.get("full_refund_hours")),
          partial_refund_hours: Number(f.get("partial_refund_hours")),
          partial_refund_percent: Number(f.get("partial_refund_percent")),
        },
        check_in: f.get("check_in_required")
          ? {
              window_minutes: Number(f.get("check_in_window")),
              grace_minutes: Number(f.get("check_in_grace")),
              no_show_refund_percent: Number(f.get("no_show_refund_percent")),
            }
          : null,
        // All three limits at once; `{}` removes them.
        quotas: limits.quotas,
      },
    });
    if (error || !data) {
      setNotice(null);
      return setProblem(show(error));
    }
    setProblem(null);
    setNotice("Saved. Bookings already made keep the policy they were made under.");
  }

  if (!space) return problem ? <FormMessage error={problem.message} /> : <p className="muted">Loading the space…</p>;
  // Problems about fields without an input of their own (a closure, a pricing rule).
  const nested = Object.entries(problem?.fields ?? {}).filter(([k]) => !SHOWN_AT_INPUT.has(k));
  const policy = space.cancellation_policy;
  const checkIn = space.check_in;
  return (
    <form onSubmit={save} noValidate aria-labelledby="edit-space">
      <h2 id="edit-space">Rules of {space.name}</h2>
      <FormMessage error={problem?.message} notice={notice} />
      {nested.length > 0 && (
        <ul className="field-error">
          {nested.map(([k, m]) => (
            <li key={k}>
              {k}: {m}
            </li>
          ))}
        </ul>
      )}
      <fieldset>
        <legend>Opening hours ({space.time_zone}); e.g. 08:00-12:00, 13:00-18:00; empty means closed</legend>
        {DAYS.map((d) => (
          <Field
            key={d}
            label={d[0]?.toUpperCase() + d.slice(1)}
            name={`hours-${d}`}
            value={hours[d] ?? ""}
            onChange={(e) => setHours({ ...hours, [d]: e.target.value })}
            error={problem?.fields[`opening_hours.${d}`]}
          />
        ))}
      </fieldset>
      <fieldset>
        <legend>Closures</legend>
        {closures.map((c, i) => (
          <div key={i} className="row">
            <Field
              label={`Closed on (${i + 1})`}
              type="date"
              value={c.date}
              onChange={(e) => setClosures(closures.map((x, j) => (j === i ? { ...x, date: e.target.value } : x)))}
            />
            <Field
              label="Reason"
              value={c.reason ?? ""}
              onChange={(e) => setClosures(closures.map((x, j) => (j === i ? { ...x, reason: e.target.value } : x)))}
            />
            <button type="button" className="link" onClick={() => setClosures(closures.filter((_, j) => j !== i))}>
              Remove closure {i + 1}
            </button>
          </div>
        ))}
        <button type="button" className="secondary" onClick={() => setClosures([...closures, { date: "", reason: "" }])}>
          Add a closure
        </button>
      </fieldset>
      <fieldset>
        <legend>Pricing rules (multiplier on the hourly price for slots starting in the window)</legend>
        {rules.map((r, i) => {
          const set = (patch: Partial<Rule>) => setRules(rules.map((x, j) => (j === i ? { ...x, ...patch } : x)));
          return (
            <div key={i} className="card">
              <Field label={`Rule ${i + 1} label`} value={r.label} onChange={(e) => set({ label: e.target.value })} />
              <Field label="From (local time)" type="time" value={r.start} onChange={(e) => set({ start: e.target.value })} />
              <Field label="Until (local time)" type="time" value={r.end} onChange={(e) => set({ end: e.target.value })} />
              <Field
                label="Multiplier (%; 150 = +50 %)"
                type="number"
                value={r.multiplier_percent}
                onChange={(e) => set({ multiplier_percent: Number(e.target.value) })}
              />
              <Field
                label="Weekdays (comma separated; empty = every day)"
                value={(r.days ?? []).join(", ")}
                onChange={(e) =>
                  set({
                    days: e.target.value
                      .split(",")
                      .map((x) => x.trim().toLowerCase())
                      .filter(Boolean),
                  })
                }
              />
              <button type="button" className="link" onClick={() => setRules(rules.filter((_, j) => j !== i))}>
                Remove rule {i + 1}
              </button>
            </div>
          );
        })}
        <button
          type="button"
          className="secondary"
          onClick={() => setRules([...rules, { label: "peak", start: "09:00", end: "12:00", multiplier_percent: 120, days: [] }])}
        >
          Add a pricing rule
        </button>
      </fieldset>
      <fieldset>
        <legend>Cancellation policy (for new bookings)</legend>
        <Field label="Full refund with at least (hours notice)" name="full_refund_hours" type="number" defaultValue={policy.full_refund_hours} error={problem?.fields["cancellation_policy.full_refund_hours"]} />
        <Field label="Partial refund with at least (hours notice)" name="partial_refund_hours" type="number" defaultValue={policy.partial_refund_hours} error={problem?.fields["cancellation_policy.partial_refund_hours"]} />
        <Field label="Partial refund (%)" name="partial_refund_percent" type="number" defaultValue={policy.partial_refund_percent} error={problem?.fields["cancellation_policy.partial_refund_percent"]} />
      </fieldset>
      <fieldset>
        <legend>Check-in (for new bookings)</legend>
        <label style={{ fontWeight: 400 }}>
          <input type="checkbox" name="check_in_required" defaultChecked={!!checkIn} /> Members must check in; a booking
          nobody checked in to is released after the grace period
        </label>
        <Field label="Check-in opens (minutes before the start)" name="check_in_window" type="number" defaultValue={checkIn?.window_minutes ?? 30} error={problem?.fields["check_in.window_minutes"]} />
        <Field label="Grace period (minutes after the start)" name="check_in_grace" type="number" defaultValue={checkIn?.grace_minutes ?? 15} error={problem?.fields["check_in.grace_minutes"]} />
        <Field label="Refunded for a no-show (%)" name="no_show_refund_percent" type="number" defaultValue={checkIn?.no_show_refund_percent ?? 0} error={problem?.fields["check_in.no_show_refund_percent"]} />
      </fieldset>
      <QuotaFields legend="Member limits (for new bookings)" who="each member" field="quotas" quotas={space.quotas} errors={problem?.fields} />
      <p>
        <button type="submit">Save rules</button>
      </p>
    </form>
  );
}
