// Local stack only: a test card (4242…) as a PaymentMethod on the local Stripe stand-in,
// what Stripe.js's card element produces in a browser. 404 on every deployed stage.
import { NextResponse } from "next/server";

import { localStripe } from "../../local-stripe";

export async function POST(request: Request) {
  const base = localStripe(request);
  if (!base) return NextResponse.json({ detail: "not found" }, { status: 404 });
  const key = process.env.LOCAL_STRIPE_KEY ?? "sk_test_local";
  const res = await fetch(`${base.replace(/\/$/, "")}/v1/payment_methods`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` },
    body: new URLSearchParams({
      type: "card",
      "card[number]": "4242424242424242",
      "card[exp_month]": "12",
      "card[exp_year]": "2034",
      "card[cvc]": "123",
    }),
  });
  const pm = (await res.json().catch(() => ({}))) as { id?: string };
  return NextResponse.json({ id: pm.id ?? null }, { status: res.ok ? 200 : 502 });
}
