"use client";
// Renting an office open-ended from the day picked above the grid: billed monthly by a
// Stripe subscription at the month rate until the member ends it (`POST /rentals`). The
// card pays every month; locally the test card does.
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";

import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import { FormMessage } from "@/components/Field";
import { SubscribeCard } from "@/components/SubscribeCard";
import { useConfig } from "@/lib/config";
import { money } from "@/lib/format";
import { testCardMethod } from "@/lib/local-card";

export function RentForm(props: { itemId: string; identifier: string; date: string; rate: number; currency: string }) {
  const { itemId, identifier, date, rate, currency } = props;
  const api = useApi();
  const router = useRouter();
  const { localPayments, stripePublishableKey } = useConfig();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One Idempotency-Key per office and day: a retried click is the same rental.
  const [keys] = useState(() => new Map<string, string>());
  const keyFor = (choice: string) => {
    const known = keys.get(choice);
    if (known) return known;
    const made = crypto.randomUUID();
    keys.set(choice, made);
    return made;
  };
  // The rental made, for after the card form confirmed its first payment.
  const made = useRef<string | null>(null);

  async function rent(paymentMethodId: string) {
    const { data, error } = await api.POST("/rentals", {
      params: { header: { "Idempotency-Key": keyFor(`${itemId}|${date}`) } },
      body: { bookable_item_id: itemId, start_date: date, payment_method_id: paymentMethodId },
    });
    if (error || !data) return { error: show(error).message };
    made.current = data.id;
    return { clientSecret: data.client_secret ?? null, id: data.id };
  }

  async function rentWithTestCard() {
    setBusy(true);
    setError(null);
    const pm = await testCardMethod();
    if (!pm) {
      setBusy(false);
      return setError("The local card could not be made into a payment method.");
    }
    const answer = await rent(pm);
    setBusy(false);
    if ("error" in answer) return setError(answer.error ?? null);
    router.push(`/rentals/${answer.id}`);
  }

  const label = `Rent ${identifier} open-ended`;
  return (
    <section aria-labelledby="rent-open-ended" className="card" style={{ marginTop: "0.5rem" }}>
      <h4 id="rent-open-ended" style={{ marginTop: 0 }}>
        Or rent it open-ended
      </h4>
      <p>
        {money(rate, currency)} a month from {date}, charged each month until you end it. Ending stops the next charge;
        the months paid stay yours.
      </p>
      <FormMessage error={error} />
      {stripePublishableKey ? (
        <SubscribeCard
          publishableKey={stripePublishableKey}
          price={{ amount: rate, currency }}
          label={label}
          subscribe={rent}
          onDone={() => made.current && router.push(`/rentals/${made.current}`)}
        />
      ) : (
        localPayments && (
          <button type="button" onClick={rentWithTestCard} disabled={busy}>
            {busy ? "Renting…" : `${label} with the test card`}
          </button>
        )
      )}
    </section>
  );
}
