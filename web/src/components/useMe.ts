"use client";
import { useEffect, useState } from "react";

import { useApi } from "@/api/client";
import type { components } from "@/api/schema";
import { useSession } from "./useSession";

export type Me = components["schemas"]["UserResponse"];

/** The signed-in member's profile (null until loaded or when signed out). */
export function useMe(): { me: Me | null; ready: boolean; signedIn: boolean; reload: () => void } {
  const api = useApi();
  const { session, ready } = useSession();
  const [me, setMe] = useState<Me | null>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!session) return;
    void api.GET("/users/me").then(({ data }) => setMe(data ?? null));
  }, [api, session, round]);
  return { me, ready, signedIn: Boolean(session), reload: () => setRound((r) => r + 1) };
}
