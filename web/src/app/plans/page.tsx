"use client";
import Link from "next/link";
import { useEffect, useState } from "react";

import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import type { components } from "@/api/schema";
import { FormMessage } from "@/components/Field";
import { SubscribeCard } from "@/components/SubscribeCard";
import { useSession } from "@/components/useSession";
import { useConfig } from "@/lib/config";
import { money } from "@/lib/format";
import { testCardMethod } from "@/lib/local-card";

type Plan = components["schemas"]["MembershipPlan"];

export default function Plans() {
  const api = useApi();
  const { session } = useSession();
  const { localPayments, stripePublishableKey } = useConfig();
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    void api.GET("/membership-plans").then(({ data, error }) => (error || !data ? setError(show(error).message) : setPlans(data.items)));
  }, [api]);

  /** Sends a PaymentMethod id made in the browser; the membership's client secret when
   * its first charge needs the member. */
  async function subscribeWith(plan: Plan, paymentMethodId: string) {
    const { data, error } = await api.POST("/memberships", { body: { plan_id: plan.id, payment_method_id: paymentMethodId } });
    if (error || !data) return { error: show(error).message };
    setNotice(`You are subscribed to ${plan.name}.`);
    return { clientSecret: data.client_secret ?? null };
  }

  // Local stack: the test card becomes a PaymentMethod on the local Stripe stand-in.
  async function subscribeWithTestCard(plan: Plan) {
    setError(null);
    const pm = await testCardMethod();
    if (!pm) return setError("The local card could not be made into a payment method.");
    const answer = await subscribeWith(plan, pm);
    if ("error" in answer) setError(answer.error ?? null);
  }

  return (
    <>
      <h1>Membership plans</h1>
      <FormMessage error={error} notice={notice} />
      {plans === null ? (
        <p className="muted">Loading…</p>
      ) : plans.length === 0 ? (
        <p>No plans are offered yet.</p>
      ) : (
        <ul className="cards">
          {plans.map((p) => (
            <li key={p.id} className="card">
              <h2 style={{ fontSize: "1.1rem", marginTop: 0 }}>{p.name}</h2>
              <p>{p.description}</p>
              <p>
                <strong>{money(p.monthly_price.amount, p.monthly_price.currency)}</strong> a month
              </p>
              {session ? (
                stripePublishableKey ? (
                  <SubscribeCard
                    publishableKey={stripePublishableKey}
                    price={p.monthly_price}
                    label={`Subscribe to ${p.name}`}
                    subscribe={(pm) => subscribeWith(p, pm)}
                  />
                ) : (
                  localPayments && (
                    <button type="button" onClick={() => subscribeWithTestCard(p)}>
                      Subscribe to {p.name} with the test card
                    </button>
                  )
                )
              ) : (
                <Link href="/signin?next=/plans">Sign in to subscribe</Link>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
