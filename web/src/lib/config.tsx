"use client";
// Where the browser finds the API, the live socket and (optionally) Stripe: read by the
// server layout from its environment at request time and handed down, so one build serves
// every stage and the local stack alike.
import { createContext, useContext, type ReactNode } from "react";

export interface WebConfig {
  /** The HTTP API as the browser reaches it (no trailing slash). */
  apiUrl: string;
  /** The WebSocket API (`wss://.../live` on AWS, `ws://127.0.0.1:<port>/live` locally). */
  liveUrl: string;
  /** Stripe publishable key: with it, payments use Stripe's Payment Element. */
  stripePublishableKey: string | null;
  /** Local stack only: a test-card form that pays through the local Stripe stand-in. */
  localPayments: boolean;
  /** Map tiles (`{z}/{x}/{y}` template); none in tests, the list works without a map. */
  tileUrl: string | null;
}

const Ctx = createContext<WebConfig | null>(null);

export function ConfigProvider({ value, children }: { value: WebConfig; children: ReactNode }) {
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useConfig(): WebConfig {
  const c = useContext(Ctx);
  if (!c) throw new Error("ConfigProvider missing");
  return c;
}
