// Local stack only: pays a PaymentIntent through the local Stripe stand-in the way
// Stripe.js would in a browser (and as infra/pay-local.sh does): the test card becomes a
// PaymentMethod on the intent, then the intent is confirmed; the stand-in then sends the
// signed webhook to the API. Without LOCAL_STRIPE_URL (every deployed stage) it is a 404.
import { NextResponse } from "next/server";

import { localStripe } from "../local-stripe";

const CARD = /^[0-9]{16}$/;
const INTENT = /^pi_[A-Za-z0-9_]{1,64}$/;

export async function POST(request: Request) {
  const base = localStripe(request);
  if (!base) return NextResponse.json({ detail: "not found" }, { status: 404 });
  const key = process.env.LOCAL_STRIPE_KEY ?? "sk_test_local";
  const body = (await request.json().catch(() => null)) as { payment_intent_id?: unknown; card_number?: unknown } | null;
  const intent = typeof body?.payment_intent_id === "string" ? body.payment_intent_id : "";
  const card = typeof body?.card_number === "string" ? body.card_number.replace(/\s/g, "") : "";
  const errors = [
    ...(INTENT.test(intent) ? [] : [{ field: "payment_intent_id", rule: "format", message: "must be a PaymentIntent id" }]),
    ...(CARD.test(card) ? [] : [{ field: "card_number", rule: "format", message: "must be 16 digits" }]),
  ];
  if (errors.length) {
    return NextResponse.json(
      { type: "/problems/validation", title: "Invalid request", status: 400, detail: "invalid card", errors },
      { status: 400, headers: { "content-type": "application/problem+json" } },
    );
  }
  const stripe = (path: string, form: Record<string, string>) =>
    fetch(`${base.replace(/\/$/, "")}${path}`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` },
      body: new URLSearchParams(form),
    }).then(async (r) => ({ ok: r.ok, json: ((await r.json().catch(() => ({}))) as Record<string, unknown>) }));
  const pm = await stripe("/v1/payment_methods", {
    type: "card",
    "card[number]": card,
    "card[exp_month]": "12",
    "card[exp_year]": "2034",
    "card[cvc]": "123",
  });
  if (!pm.ok) return NextResponse.json({ status: "failed", detail: "card refused" }, { status: 402 });
  await stripe(`/v1/payment_intents/${intent}`, { payment_method: String(pm.json.id) });
  const confirmed = await stripe(`/v1/payment_intents/${intent}/confirm`, {});
  const status = confirmed.ok ? String(confirmed.json.status) : "failed";
  return NextResponse.json({ status }, { status: confirmed.ok ? 200 : 402 });
}
