"use client";
// The limits a space puts on each member booking there, or a membership plan on each
// member using its benefits (`Quotas`): hours per week, bookings per day and how many days
// ahead. Each is optional: an empty field sets no limit. The API checks the ranges; its
// field errors (`<field>.<limit>`, e.g. `quotas.bookings_per_day`) are shown at the input.
import type { components } from "@/api/schema";
import { Field } from "@/components/Field";

type Quotas = components["schemas"]["Quotas"];
type Limit = keyof Quotas;

const LIMITS: { key: Limit; label: string; hint: (who: string) => string }[] = [
  {
    key: "hours_per_week",
    label: "Hours per week",
    hint: (who) => `Hours ${who} may book in one week (Monday to Sunday, local time); whole-day bookings don't count.`,
  },
  {
    key: "bookings_per_day",
    label: "Bookings per day",
    hint: (who) => `Bookings ${who} may have starting on one day, whole-day bookings included.`,
  },
  {
    key: "days_ahead",
    label: "Days ahead",
    hint: (who) => `How many days ahead ${who} may book.`,
  },
];

const inputName = (key: Limit) => `quota-${key}`;

/** The field names a problem may name for these inputs (`field` is e.g. `quotas`). */
export const quotaFields = (field: string) => LIMITS.map((l) => `${field}.${l.key}`);

/** The limits typed into `QuotaFields`, or the fields that are not whole numbers from 1
 * (what serde would refuse with a type error; the upper bounds are the API's to check). */
export function readQuotas(f: FormData, field: string): { quotas: Quotas } | { fields: Record<string, string> } {
  const quotas: Quotas = {};
  const fields: Record<string, string> = {};
  for (const { key } of LIMITS) {
    const text = String(f.get(inputName(key)) ?? "").trim();
    if (text === "") continue;
    const n = Number(text);
    if (Number.isSafeInteger(n) && n >= 1) quotas[key] = n;
    else fields[`${field}.${key}`] = "must be a whole number from 1, or empty for no limit";
  }
  return Object.keys(fields).length > 0 ? { fields } : { quotas };
}

/**
 * A fieldset of the three limits. `who` completes the hints ("each member"); `field` is
 * where the API names them (`quotas`, `benefits.quotas`); `errors` the problem's fields.
 */
export function QuotaFields(props: { legend: string; who: string; field: string; quotas?: Quotas; errors?: Record<string, string> }) {
  const { legend, who, field, quotas, errors } = props;
  return (
    <fieldset>
      <legend>{legend}</legend>
      <p className="muted">Each limit is a whole number from 1; leave it empty for no limit.</p>
      {LIMITS.map((l) => (
        <Field
          key={l.key}
          label={l.label}
          name={inputName(l.key)}
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          defaultValue={quotas?.[l.key] ?? ""}
          hint={l.hint(who)}
          error={errors?.[`${field}.${l.key}`]}
        />
      ))}
    </fieldset>
  );
}
