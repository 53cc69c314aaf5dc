import type { components } from "@/api/schema";
import { money } from "@/lib/format";

type Report = components["schemas"]["Report"];

/** Utilization and revenue per local day as bar charts, with the numbers as a table. */
export function ReportChart({ report }: { report: Report }) {
  const currencies = Object.keys(report.totals.revenue);
  const currency = currencies[0] ?? "eur";
  const revenue = (r: Record<string, number>) => r[currency] ?? 0;
  const maxRev = Math.max(1, ...report.days.map((d) => revenue(d.revenue)));
  const pct = (u: number | null | undefined) => Math.round((u ?? 0) * 1000) / 10;
  return (
    <figure>
      <figcaption>Utilization per day (% of open time booked)</figcaption>
      <div className="bars" role="img" aria-label="Utilization per day">
        {report.days.map((d) => (
          <div key={d.date} style={{ height: `${pct(d.utilization)}%` }} title={`${d.date}: ${pct(d.utilization)} %`} />
        ))}
      </div>
      <figcaption style={{ marginTop: "1rem" }}>Revenue per day ({currency.toUpperCase()})</figcaption>
      <div className="bars" role="img" aria-label="Revenue per day">
        {report.days.map((d) => (
          <div key={d.date} style={{ height: `${(revenue(d.revenue) / maxRev) * 100}%` }} title={`${d.date}: ${money(revenue(d.revenue), currency)}`} />
        ))}
      </div>
      <table>
        <caption className="muted">
          Totals: {report.totals.bookings} bookings (day passes: {report.totals.day_passes}, long stays:{" "}
          {report.totals.long_stays}), {report.totals.cancellations} cancellations,{" "}
          {pct(report.totals.utilization)} % utilization,{" "}
          {currencies.map((c) => money(report.totals.revenue[c] ?? 0, c)).join(" + ") || money(0, currency)}
        </caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Bookings</th>
            <th scope="col">Day passes</th>
            <th scope="col">Long stays</th>
            <th scope="col">Utilization</th>
            <th scope="col">Revenue</th>
          </tr>
        </thead>
        <tbody>
          {report.days.map((d) => (
            <tr key={d.date}>
              <td>{d.date}</td>
              <td>{d.bookings}</td>
              <td>{d.day_passes}</td>
              <td>{d.long_stays}</td>
              <td>{pct(d.utilization)} %</td>
              <td>{money(revenue(d.revenue), currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
