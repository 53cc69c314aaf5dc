// The local Stripe stand-in the local-pay routes talk to, or null: only when
// LOCAL_STRIPE_URL names a loopback address (never a deployed stage), and only for a JSON
// request from this same site (no other page can make a developer's browser pay).
export function localStripe(request: Request): string | null {
  const base = process.env.LOCAL_STRIPE_URL;
  if (!base) return null;
  let host: string;
  try {
    host = new URL(base).hostname;
  } catch {
    return null;
  }
  if (host !== "127.0.0.1" && host !== "localhost") return null;
  const origin = request.headers.get("origin");
  const self = request.headers.get("host");
  if (!origin || !self || new URL(origin).host !== self) return null;
  if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) return null;
  return base.replace(/\/$/, "");
}
