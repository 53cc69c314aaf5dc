"use client";
import { useEffect, useState } from "react";

import { loadSession, onSessionChange, type Session } from "@/lib/session";

/** The current session, updated on sign-in, refresh and sign-out (also in other tabs). */
export function useSession(): { session: Session | null; ready: boolean } {
  const [state, setState] = useState<{ session: Session | null; ready: boolean }>({ session: null, ready: false });
  useEffect(() => {
    const update = () => setState({ session: loadSession(), ready: true });
    update();
    return onSessionChange(update);
  }, []);
  return state;
}
