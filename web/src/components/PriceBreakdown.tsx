import type { components } from "@/api/schema";
import { money } from "@/lib/format";

type Price = components["schemas"]["PriceBreakdown"];

/** The price as the API computed it: each line, what a membership covered, the total. */
export function PriceBreakdown({ price }: { price: Price }) {
  const m = (n: number) => money(n, price.currency);
  return (
    <dl className="breakdown" aria-label="Price breakdown">
      {price.lines.map((l, i) => (
        <div key={i} style={{ display: "contents" }}>
          <dt>
            {l.label} ({l.minutes} min{l.multiplier_percent !== 100 ? `, ${l.multiplier_percent} %` : ""})
          </dt>
          <dd>{m(l.amount)}</dd>
        </div>
      ))}
      <dt>Subtotal</dt>
      <dd>{m(price.subtotal)}</dd>
      {price.included_amount > 0 && (
        <>
          <dt>Included in your membership ({price.included_minutes_applied} min)</dt>
          <dd>−{m(price.included_amount)}</dd>
        </>
      )}
      {price.discount_amount > 0 && (
        <>
          <dt>Member discount ({price.discount_percent} %)</dt>
          <dd>−{m(price.discount_amount)}</dd>
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
