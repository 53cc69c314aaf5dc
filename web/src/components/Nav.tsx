"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";

import { saveSession } from "@/lib/session";
import { useSession } from "./useSession";

export function Nav() {
  const { session } = useSession();
  const router = useRouter();
  const roles = session?.roles ?? [];
  return (
    <header className="top">
      <nav aria-label="Main">
        <Link href="/" className="brand">
          Cowork
        </Link>
        <ul>
          <li>
            <Link href="/">Find a space</Link>
          </li>
          <li>
            <Link href="/plans">Memberships</Link>
          </li>
          {session && (
            <>
              <li>
                <Link href="/bookings">My bookings</Link>
              </li>
              <li>
                <Link href="/account">Account</Link>
              </li>
            </>
          )}
          {(roles.includes("operator") || roles.includes("admin")) && (
            <li>
              <Link href="/operator">Operator</Link>
            </li>
          )}
          {roles.includes("admin") && (
            <li>
              <Link href="/admin">Admin</Link>
            </li>
          )}
          {session ? (
            <li>
              <button
                type="button"
                className="link"
                onClick={() => {
                  saveSession(null);
                  router.push("/");
                }}
              >
                Sign out
              </button>
            </li>
          ) : (
            <>
              <li>
                <Link href="/signin">Sign in</Link>
              </li>
              <li>
                <Link href="/signup">Sign up</Link>
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}
