"use client";
// The signed-in member's tokens, kept in this browser's storage. The access token lives an
// hour; it is refreshed a minute before it runs out with the refresh token, and everything
// is dropped on sign-out or when the refresh is refused.
import type { components } from "@/api/schema";

type Tokens = components["schemas"]["Tokens"];

export interface Session {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms after which the access token is refreshed before use. */
  refreshAt: number;
  email: string;
  roles: string[];
}

const KEY = "cowork.session";
const listeners = new Set<() => void>();

export function loadSession(): Session | null {
  if (typeof window === "undefined") return null;
  try {
    const raw = window.localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s) window.localStorage.setItem(KEY, JSON.stringify(s));
  else window.localStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  const storage = (e: StorageEvent) => e.key === KEY && listener();
  window.addEventListener("storage", storage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", storage);
  };
}

/** Roles from the access token's `cognito:groups` claim (for showing menus only: the API decides). */
export function rolesOf(accessToken: string): string[] {
  try {
    const payload = accessToken.split(".")[1] ?? "";
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const groups = json["cognito:groups"];
    return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [];
  } catch {
    return [];
  }
}

export function sessionFrom(tokens: Tokens, email: string, previous?: Session | null): Session {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken ?? null,
    refreshAt: Date.now() + Math.max(0, tokens.expires_in - 60) * 1000,
    email,
    roles: rolesOf(tokens.access_token),
  };
}
