"use client";
// Subscribing with a card through Stripe's Payment Element (subscription mode): the card
// becomes a PaymentMethod in the browser and only its id reaches the API; when the first
// charge needs the member (3-D Secure), the answer's client secret confirms it. Used for
// membership plans and open-ended rentals.
import { useEffect, useRef, useState } from "react";

import type { components } from "@/api/schema";
import { FormMessage } from "@/components/Field";
import { loadStripe, type StripeElements, type StripeJs } from "@/lib/stripe-js";

type Money = components["schemas"]["Money"];

export function SubscribeCard({
  publishableKey,
  price,
  label,
  subscribe,
  onDone,
}: {
  publishableKey: string;
  /** What each month costs. */
  price: Money;
  /** The button's words ("Subscribe to Pro", "Rent Office 1 open-ended"). */
  label: string;
  /** Sends the PaymentMethod id to the API; answers the client secret if the charge needs the member. */
  subscribe: (paymentMethodId: string) => Promise<{ clientSecret: string | null } | { error: string }>;
  /** After the first payment went through (or was left to the member's bank). */
  onDone?: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [ctx, setCtx] = useState<{ stripe: StripeJs; elements: StripeElements } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    loadStripe(publishableKey)
      .then((stripe) => {
        if (cancelled || !ref.current) return;
        const elements = stripe.elements({
          mode: "subscription",
          amount: price.amount,
          currency: price.currency.toLowerCase(),
        });
        elements.create("payment").mount(ref.current);
        setCtx({ stripe, elements });
      })
      .catch(() => setError("The card form could not load. Try again later."));
    return () => {
      cancelled = true;
    };
  }, [publishableKey, price.amount, price.currency]);

  async function submit() {
    if (!ctx) return;
    setBusy(true);
    setError(null);
    const checked = await ctx.elements.submit();
    if (checked.error) {
      setBusy(false);
      return setError(checked.error.message ?? "Check the card details.");
    }
    const made = await ctx.stripe.createPaymentMethod({ elements: ctx.elements });
    if (!made.paymentMethod) {
      setBusy(false);
      return setError(made.error?.message ?? "The card was refused.");
    }
    const answer = await subscribe(made.paymentMethod.id);
    if ("error" in answer) {
      setBusy(false);
      return setError(answer.error);
    }
    if (answer.clientSecret) {
      const confirmed = await ctx.stripe.confirmPayment({ clientSecret: answer.clientSecret, redirect: "if_required" });
      if (confirmed.error) {
        setBusy(false);
        return setError(confirmed.error.message ?? "The first payment did not go through.");
      }
    }
    setBusy(false);
    onDone?.();
  }

  return (
    <div>
      <div ref={ref} />
      <FormMessage error={error} />
      <button type="button" onClick={submit} disabled={!ctx || busy}>
        {busy ? "Subscribing…" : label}
      </button>
    </div>
  );
}
