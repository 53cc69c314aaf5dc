"use client";
// The typed API client: paths and bodies come from `schema.d.ts`, generated from the API's
// OpenAPI document (`make web-client`), so a changed route fails the type check here.
import createClient, { type Middleware } from "openapi-fetch";
import { useMemo } from "react";

import { useConfig } from "@/lib/config";
import { loadSession, saveSession, sessionFrom } from "@/lib/session";
import type { paths } from "./schema";

export type Api = ReturnType<typeof createClient<paths>>;

let refreshing: Promise<void> | null = null;

/** Refreshes the access token once for all concurrent callers; drops the session if refused. */
async function refresh(baseUrl: string): Promise<void> {
  const s = loadSession();
  if (!s?.refreshToken) return;
  const res = await fetch(`${baseUrl}/users/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: s.refreshToken }),
  }).catch(() => null);
  if (!res) return;
  // Signed out or in as someone else meanwhile (here or in another tab): keep that.
  if (loadSession()?.refreshToken !== s.refreshToken) return;
  if (res.ok) saveSession(sessionFrom(await res.json(), s.email, s));
  else if (res.status === 400 || res.status === 401) saveSession(null);
}

function auth(baseUrl: string): Middleware {
  return {
    async onRequest({ request }) {
      let s = loadSession();
      if (s && Date.now() >= s.refreshAt) {
        refreshing ??= refresh(baseUrl).finally(() => (refreshing = null));
        await refreshing;
        s = loadSession();
      }
      if (s) request.headers.set("authorization", `Bearer ${s.accessToken}`);
      return request;
    },
  };
}

export function makeApi(baseUrl: string): Api {
  const api = createClient<paths>({ baseUrl });
  api.use(auth(baseUrl));
  return api;
}

export function useApi(): Api {
  const { apiUrl } = useConfig();
  return useMemo(() => makeApi(apiUrl), [apiUrl]);
}
