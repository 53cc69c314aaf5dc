"use client";
// Paying a held booking: Stripe's Payment Element when a publishable key is configured
// (Stripe.js is then loaded from Stripe, as PCI rules require), otherwise, on the local
// stack, a test-card form that pays through the local Stripe stand-in.
import { useEffect, useRef, useState, type FormEvent } from "react";

import { show } from "@/api/problem";
import { Field, FormMessage } from "@/components/Field";
import { useConfig } from "@/lib/config";
import { loadStripe, type StripeElements, type StripeJs } from "@/lib/stripe-js";

function StripeElement({ publishableKey, clientSecret, onPaid }: { publishableKey: string; clientSecret: string; onPaid: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [ctx, setCtx] = useState<{ stripe: StripeJs; elements: StripeElements } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    loadStripe(publishableKey)
      .then((stripe) => {
        if (cancelled || !ref.current) return;
        const elements = stripe.elements({ clientSecret });
        elements.create("payment").mount(ref.current);
        setCtx({ stripe, elements });
      })
      .catch(() => setError("The payment form could not load. Try again later."));
    return () => {
      cancelled = true;
    };
  }, [publishableKey, clientSecret]);
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        if (!ctx) return;
        const r = await ctx.stripe.confirmPayment({ elements: ctx.elements, redirect: "if_required" });
        if (r.error) setError(r.error.message ?? "The payment did not go through.");
        else onPaid();
      }}
    >
      <div ref={ref} />
      <FormMessage error={error} />
      <button type="submit" disabled={!ctx}>
        Pay
      </button>
    </form>
  );
}

function LocalCard({ intentId, onPaid }: { intentId: string; onPaid: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const card = String(new FormData(e.currentTarget).get("card_number"));
    const res = await fetch("/api/local-pay", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ payment_intent_id: intentId, card_number: card }),
    });
    setBusy(false);
    const body: unknown = await res.json().catch(() => null);
    if (res.status === 400) {
      const shown = show(body);
      setError(shown.message);
      setFields(shown.fields);
      return;
    }
    if (!res.ok) return setError("The card was declined. The hold is released; book again to retry.");
    onPaid();
  }
  return (
    <form onSubmit={submit} aria-label="Test card payment" noValidate>
      <p className="muted">Local test payments: 4242 4242 4242 4242 pays, 4000 0000 0000 0341 is declined.</p>
      <FormMessage error={error} />
      <Field
        label="Card number"
        name="card_number"
        inputMode="numeric"
        autoComplete="cc-number"
        defaultValue="4242 4242 4242 4242"
        error={fields.card_number}
      />
      <p>
        <button type="submit" disabled={busy}>
          {busy ? "Paying…" : "Pay"}
        </button>
      </p>
    </form>
  );
}

export function Pay({ clientSecret, intentId, onPaid }: { clientSecret: string; intentId: string; onPaid: () => void }) {
  const { stripePublishableKey, localPayments } = useConfig();
  if (stripePublishableKey)
    return <StripeElement publishableKey={stripePublishableKey} clientSecret={clientSecret} onPaid={onPaid} />;
  if (localPayments) return <LocalCard intentId={intentId} onPaid={onPaid} />;
  return <p className="alert">Payments are not configured for this site.</p>;
}
