"use client";
// Subscribing with a card through Stripe's Payment Element (subscription mode): the card
// becomes a PaymentMethod in the browser and only its id reaches the API; when the first
// charge needs the member (3-D Secure), the membership's client secret confirms it.
import { useEffect, useRef, useState } from "react";

import type { components } from "@/api/schema";
import { FormMessage } from "@/components/Field";
import { loadStripe, type StripeElements, type StripeJs } from "@/lib/stripe-js";

type Plan = components["schemas"]["MembershipPlan"];

export function SubscribeCard({
  publishableKey,
  plan,
  subscribe,
}: {
  publishableKey: string;
  plan: Plan;
  /** Sends the PaymentMethod id to the API; answers the client secret if the charge needs the member. */
  subscribe: (paymentMethodId: string) => Promise<{ clientSecret: string | null } | { error: string }>;
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
          amount: plan.monthly_price.amount,
          currency: plan.monthly_price.currency.toLowerCase(),
        });
        elements.create("payment").mount(ref.current);
        setCtx({ stripe, elements });
      })
      .catch(() => setError("The card form could not load. Try again later."));
    return () => {
      cancelled = true;
    };
  }, [publishableKey, plan]);

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
      if (confirmed.error) setError(confirmed.error.message ?? "The first payment did not go through.");
    }
    setBusy(false);
  }

  return (
    <div>
      <div ref={ref} />
      <FormMessage error={error} />
      <button type="button" onClick={submit} disabled={!ctx || busy}>
        {busy ? "Subscribing…" : `Subscribe to ${plan.name}`}
      </button>
    </div>
  );
}
