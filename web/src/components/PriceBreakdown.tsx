import type { components } from "@/api/schema";
import { money } from "@/lib/format";

type Price = components["schemas"]["PriceBreakdown"];

/** A line's length as people say it: 90 min, 3 h, 23 h (a DST day), 2 h 30 min. */
function duration(minutes: number): string {
  if (minutes < 120) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}

/** The price as the API computed it: each line, what a membership covered, the total. */
export function PriceBreakdown({ price }: { price: Price }) {
  const m = (n: number) => money(n, price.currency);
  return (
    <dl className="breakdown" aria-label="Price breakdown">
      {price.lines.map((l, i) => (
        <div key={i} style={{ display: "contents" }}>
          <dt>
            {l.label} ({duration(l.minutes)}{l.multiplier_percent !== 100 ? `, ${l.multiplier_percent} %` : ""})
          </dt>
          <dd>{m(l.amount)}</dd>
        </div>
      ))}
      <dt>Subtotal</dt>
      <dd>{m(price.subtotal)}</dd>
      {price.included_amount > 0 && (
        <>
          <dt>Included in your membership ({duration(price.included_minutes_applied)})</dt>
          <dd>−{m(price.included_amount)}</dd>
        </>
      )}
      {price.discount_amount > 0 && (
        <>
          <dt>Member discount ({price.discount_percent} %)</dt>
          <dd>−{m(price.discount_amount)}</dd>
        </>
      )}
      {price.promo_code && (price.promo_amount ?? 0) > 0 && (
        <>
          <dt>Promo code {price.promo_code}</dt>
          <dd>−{m(price.promo_amount ?? 0)}</dd>
        </>
      )}
      <dt>
        <strong>Total</strong>
      </dt>
      <dd>
        <strong>{m(price.total)}</strong>
      </dd>
    </dl>
  );
}
