// Money is integer minor units plus an ISO 4217 currency; times are UTC instants shown in
// the space's own IANA zone (the member may be elsewhere).

export function money(amount: number, currency: string): string {
  const code = currency.toUpperCase();
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
    .maximumFractionDigits ?? 2;
  return new Intl.NumberFormat("en", { style: "currency", currency: code }).format(amount / 10 ** digits);
}

export function localTime(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(instant));
}

export function localHour(instant: string | number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" }).format(
    new Date(instant),
  );
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function localDate(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(instant),
  );
}

/** The UTC instant of local midnight starting `date` (YYYY-MM-DD) in `timeZone`. */
export function startOfLocalDay(date: string, timeZone: string): number {
  // Guess UTC midnight, then correct by the zone's offset at that instant (twice: the
  // offset can differ across the correction on a DST day).
  let guess = Date.parse(`${date}T00:00:00Z`);
  for (let i = 0; i < 2; i++) {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(new Date(guess));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
    guess -= asUtc - Date.parse(`${date}T00:00:00Z`);
  }
  return guess;
}

export type StayUnit = "day" | "week" | "month";

/** What a stay is called: "Day pass", "3 days", "1 week", "2 months". */
export function stayLength(unit: StayUnit, quantity: number): string {
  if (unit === "day") return quantity === 1 ? "Day pass" : `${quantity} days`;
  return `${quantity} ${unit}${quantity === 1 ? "" : "s"}`;
}

/** `YYYY-MM-DD` plus (or minus) whole days. */
export function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The local date a stay from `date` (YYYY-MM-DD) ends at, at midnight, as the API counts:
 * a month runs to the same day of the next month, or that month's last day (31 January
 * + 1 month: 28 February). */
export function stayEnd(date: string, unit: StayUnit, quantity: number): string {
  if (unit !== "month") return plusDays(date, unit === "week" ? 7 * quantity : quantity);
  const [y = 0, m = 1, d = 1] = date.split("-").map(Number);
  const lastOfMonth = new Date(Date.UTC(y, m + quantity, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + quantity, Math.min(d, lastOfMonth))).toISOString().slice(0, 10);
}

/** Local dates `first` to `last` (YYYY-MM-DD, inclusive): "Wed, 14 May 2025" or
 * "Wed, 14 May – Tue, 27 May 2025". */
export function dayRange(first: string, last: string): string {
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const [a, b] = [Date.parse(`${first}T00:00:00Z`), Date.parse(`${last}T00:00:00Z`)];
  return b <= a ? f.format(a) : f.formatRange(a, b);
}

/** The local days a stay covers, from its first midnight to the one it ends at (excluded). */
export function stayDays(startTime: string, endTime: string, timeZone: string): string {
  return dayRange(localDate(Date.parse(startTime), timeZone), localDate(Date.parse(endTime) - 1, timeZone));
}
