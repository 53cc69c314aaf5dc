// Local stack only: the test card (4242…) as a PaymentMethod on the local Stripe
// stand-in, made by the web server's own route (what Stripe.js does in a browser).

/** The PaymentMethod id, or null when the local stand-in could not make one. */
export async function testCardMethod(): Promise<string | null> {
  const pm = await fetch("/api/local-pay/method", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  }).then((r) => (r.ok ? (r.json() as Promise<{ id?: string | null }>) : null));
  return pm?.id ?? null;
}
