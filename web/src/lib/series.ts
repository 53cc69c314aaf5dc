// Recurring series as a member chooses them on the space page, turned into the RFC 5545
// RRULE subset the API takes (`FREQ=DAILY|WEEKLY`, `BYDAY`, exactly one of `COUNT` or
// `UNTIL=YYYYMMDD`), and back into words; and the reasons the API gives for the
// occurrences it could not book.
import { dayRange } from "@/lib/format";

export const WEEKDAYS = [
  { code: "MO", name: "Monday", short: "Mon" },
  { code: "TU", name: "Tuesday", short: "Tue" },
  { code: "WE", name: "Wednesday", short: "Wed" },
  { code: "TH", name: "Thursday", short: "Thu" },
  { code: "FR", name: "Friday", short: "Fri" },
  { code: "SA", name: "Saturday", short: "Sat" },
  { code: "SU", name: "Sunday", short: "Sun" },
] as const;

export type DayCode = (typeof WEEKDAYS)[number]["code"];
export type Frequency = "none" | "daily" | "weekdays" | "weekly";
export type OnConflict = "skip" | "refuse";

/** The API's limits: at most 52 occurrences (a year of weekly bookings). */
export const MAX_OCCURRENCES = 52;

export interface Repeat {
  frequency: Frequency;
  /** Weekly: the days chosen (the first occurrence's day is always one of them). */
  days: DayCode[];
  ends: "count" | "until";
  count: number;
  /** The last local date an occurrence may start on, `YYYY-MM-DD`. */
  until: string;
  onConflict: OnConflict;
}

export const NO_REPEAT: Repeat = { frequency: "none", days: [], ends: "count", count: 4, until: "", onConflict: "refuse" };

/** The weekday of a local date (`YYYY-MM-DD`). */
export function dayOf(date: string): DayCode {
  // 0 is Sunday for `getUTCDay`; WEEKDAYS starts on Monday.
  const i = (new Date(Date.parse(`${date}T00:00:00Z`)).getUTCDay() + 6) % 7;
  return WEEKDAYS[i]?.code ?? "MO";
}

/** The days a weekly series falls on: the chosen ones and the first date's, in week order. */
export function weeklyDays(r: Repeat, firstDate: string): DayCode[] {
  const first = dayOf(firstDate);
  return WEEKDAYS.map((d) => d.code).filter((c) => c === first || r.days.includes(c));
}

/** What is wrong with a repeat choice for a series starting on `firstDate`, per field. */
export function repeatErrors(r: Repeat, firstDate: string): { count?: string; until?: string; frequency?: string } {
  if (r.frequency === "none") return {};
  const out: { count?: string; until?: string; frequency?: string } = {};
  if (r.frequency === "weekdays" && (dayOf(firstDate) === "SA" || dayOf(firstDate) === "SU")) {
    out.frequency = "A series on every weekday starts on a weekday: pick a start from Monday to Friday.";
  }
  if (r.ends === "count" && !(Number.isInteger(r.count) && r.count >= 2 && r.count <= MAX_OCCURRENCES)) {
    out.count = `Enter a number from 2 to ${MAX_OCCURRENCES}.`;
  }
  if (r.ends === "until") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.until)) out.until = "Choose the last date.";
    else if (r.until <= firstDate) out.until = `Choose a date after the first one (${dayRange(firstDate, firstDate)}).`;
  }
  return out;
}

/** The RRULE for a valid choice (see `repeatErrors`) whose first occurrence is on `firstDate`. */
export function toRrule(r: Repeat, firstDate: string): string {
  const parts: string[] = [];
  if (r.frequency === "daily") parts.push("FREQ=DAILY");
  else if (r.frequency === "weekdays") parts.push("FREQ=WEEKLY", "BYDAY=MO,TU,WE,TH,FR");
  else parts.push("FREQ=WEEKLY", `BYDAY=${weeklyDays(r, firstDate).join(",")}`);
  parts.push(r.ends === "count" ? `COUNT=${r.count}` : `UNTIL=${r.until.replaceAll("-", "")}`);
  return parts.join(";");
}

/** "Every weekday, 10 times", "Weekly on Mon, Wed, until Fri, 30 May 2025", from an RRULE. */
export function describeRrule(rrule: string): string {
  const rule = new Map(
    rrule
      .replace(/^RRULE:/, "")
      .split(";")
      .map((p) => p.split("=") as [string, string | undefined]),
  );
  const interval = Number(rule.get("INTERVAL") ?? 1);
  const days = (rule.get("BYDAY") ?? "").split(",").filter(Boolean);
  const names = days.map((c) => WEEKDAYS.find((d) => d.code === c)?.short ?? c).join(", ");
  let what: string;
  if (days.join(",") === "MO,TU,WE,TH,FR" && interval === 1) what = "Every weekday";
  else if (rule.get("FREQ") === "DAILY") what = interval > 1 ? `Every ${interval} days` : "Every day";
  else what = `${interval > 1 ? `Every ${interval} weeks` : "Weekly"}${names ? ` on ${names}` : ""}`;
  const count = rule.get("COUNT");
  const until = rule.get("UNTIL")?.match(/^(\d{4})(\d{2})(\d{2})/);
  if (count) return `${what}, ${count} times`;
  if (until) {
    const date = `${until[1]}-${until[2]}-${until[3]}`;
    return `${what}, until ${dayRange(date, date)}`;
  }
  return what;
}

/** An occurrence the API would not book (a refused series' 409 lists them). */
export interface Refused {
  index: number;
  start_time: string;
  end_time: string;
  why: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** Why an occurrence was not booked, from its `conflict` (or a 409's `why`): `{detail, …}`. */
export function reason(why: unknown): string {
  return isObject(why) && typeof why.detail === "string" ? why.detail : "not bookable";
}

/** The occurrences a 409 from `POST /series` lists in `conflict.occurrences` (none when absent). */
export function refusedOccurrences(problem: unknown): Refused[] {
  const conflict = isObject(problem) ? problem.conflict : null;
  const list = isObject(conflict) && Array.isArray(conflict.occurrences) ? (conflict.occurrences as unknown[]) : [];
  return list.flatMap((o) =>
    isObject(o) && typeof o.index === "number" && typeof o.start_time === "string" && typeof o.end_time === "string"
      ? [{ index: o.index, start_time: o.start_time, end_time: o.end_time, why: reason(o.why) }]
      : [],
  );
}
