import "server-only";
import type { WebConfig } from "./config";

/** The configuration from the server's environment (see README, "Web app"). */
export function serverConfig(): WebConfig {
  const apiUrl = (process.env.API_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");
  return {
    apiUrl,
    liveUrl: process.env.LIVE_URL ?? apiUrl.replace(/^http/, "ws") + "/live",
    stripePublishableKey: process.env.STRIPE_PUBLISHABLE_KEY || null,
    localPayments: Boolean(process.env.LOCAL_STRIPE_URL),
    tileUrl: process.env.MAP_TILE_URL || null,
  };
}

/** Where the server itself reaches the API (same as the browser's unless told). */
export function internalApiUrl(): string {
  return (process.env.API_INTERNAL_URL ?? serverConfig().apiUrl).replace(/\/$/, "");
}
