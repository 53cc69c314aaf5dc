"use client";
// Repeating an hourly booking as a series: how often (every day, every weekday, or weekly
// on chosen days), until when (a number of times or a last date), and what to do when
// some dates are taken. `Availability` books the series with the rule this describes.
import { useId } from "react";

import { Field } from "@/components/Field";
import { localTime, localHour } from "@/lib/format";
import { dayOf, MAX_OCCURRENCES, weeklyDays, WEEKDAYS, type Frequency, type Refused, type Repeat } from "@/lib/series";

const inline = { fontWeight: 400, marginTop: 0 } as const;

export function RepeatFields(props: {
  value: Repeat;
  onChange: (r: Repeat) => void;
  /** The first occurrence's local date, `YYYY-MM-DD`. */
  firstDate: string;
  errors: { frequency?: string; count?: string; until?: string };
}) {
  const { value: r, onChange, firstDate, errors } = props;
  const id = useId();
  const set = (patch: Partial<Repeat>) => onChange({ ...r, ...patch });
  const first = dayOf(firstDate);
  const days = weeklyDays(r, firstDate);
  return (
    <div>
      <label htmlFor={`${id}-repeat`}>Repeat</label>
      <select
        id={`${id}-repeat`}
        value={r.frequency}
        onChange={(e) => set({ frequency: e.target.value as Frequency })}
        aria-invalid={errors.frequency ? true : undefined}
        aria-describedby={errors.frequency ? `${id}-repeat-error` : undefined}
      >
        <option value="none">Does not repeat</option>
        <option value="daily">Every day</option>
        <option value="weekdays">Every weekday (Monday to Friday)</option>
        <option value="weekly">Weekly on chosen days</option>
      </select>
      {errors.frequency && (
        <p id={`${id}-repeat-error`} className="field-error" role="alert">
          {errors.frequency}
        </p>
      )}
      {r.frequency === "weekly" && (
        <fieldset>
          <legend>On these days</legend>
          <div className="row">
            {WEEKDAYS.map((d) => (
              <label key={d.code} style={inline}>
                <input
                  type="checkbox"
                  checked={days.includes(d.code)}
                  // The first date's day is always in the rule (the API requires it).
                  disabled={d.code === first}
                  onChange={(e) =>
                    set({ days: e.target.checked ? [...r.days, d.code] : r.days.filter((c) => c !== d.code) })
                  }
                />{" "}
                {d.name}
                {d.code === first && " (the first date)"}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {r.frequency !== "none" && (
        <>
          <fieldset>
            <legend>Ends</legend>
            <div className="row">
              <label style={inline}>
                <input type="radio" name={`${id}-ends`} checked={r.ends === "count"} onChange={() => set({ ends: "count" })} />{" "}
                After a number of times
              </label>
              <label style={inline}>
                <input type="radio" name={`${id}-ends`} checked={r.ends === "until"} onChange={() => set({ ends: "until" })} />{" "}
                On a date
              </label>
            </div>
            {r.ends === "count" ? (
              <Field
                label="How many times"
                type="number"
                inputMode="numeric"
                min={2}
                max={MAX_OCCURRENCES}
                value={Number.isNaN(r.count) ? "" : r.count}
                onChange={(e) => set({ count: e.target.value === "" ? NaN : Number(e.target.value) })}
                error={errors.count}
                hint="The first date included."
              />
            ) : (
              <Field
                label="Last date"
                type="date"
                min={firstDate}
                value={r.until}
                onChange={(e) => set({ until: e.target.value })}
                error={errors.until}
              />
            )}
          </fieldset>
          <fieldset>
            <legend>If some dates are taken</legend>
            <div className="row">
              <label style={inline}>
                <input
                  type="radio"
                  name={`${id}-conflict`}
                  checked={r.onConflict === "skip"}
                  onChange={() => set({ onConflict: "skip" })}
                />{" "}
                Book the free ones
              </label>
              <label style={inline}>
                <input
                  type="radio"
                  name={`${id}-conflict`}
                  checked={r.onConflict === "refuse"}
                  onChange={() => set({ onConflict: "refuse" })}
                />{" "}
                Book none
              </label>
            </div>
          </fieldset>
        </>
      )}
    </div>
  );
}

/** The dates a series could not book, and why (from the API's 409). */
export function RefusedList({ refused, timeZone }: { refused: Refused[]; timeZone: string }) {
  return (
    <ul>
      {refused.map((o) => (
        <li key={o.index}>
          {localTime(o.start_time, timeZone)}–{localHour(o.end_time, timeZone)}: {o.why}
        </li>
      ))}
    </ul>
  );
}
