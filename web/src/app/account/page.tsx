"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import type { components } from "@/api/schema";
import { BillingForm } from "@/components/BillingForm";
import { Field, FormMessage } from "@/components/Field";
import { CalendarFeed } from "@/components/CalendarFeed";
import { MyInvoices } from "@/components/MyInvoices";
import { PhoneVerify } from "@/components/PhoneVerify";
import { useMe } from "@/components/useMe";
import { saveSession } from "@/lib/session";

type Notification = components["schemas"]["Notification"];
type Membership = components["schemas"]["MembershipView"];

export default function Account() {
  const api = useApi();
  const router = useRouter();
  const { me, ready, signedIn, reload } = useMe();
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [notes, setNotes] = useState<Notification[] | null>(null);
  const [membership, setMembership] = useState<Membership | null>(null);
  const [erasing, setErasing] = useState(false);

  const loadNotes = useCallback(async () => {
    const { data } = await api.GET("/users/me/notifications");
    setNotes((data?.items as Notification[] | undefined) ?? []);
  }, [api]);

  useEffect(() => {
    if (!me) return;
    void loadNotes();
    void api.GET("/users/me/membership").then(({ data }) => setMembership(data ?? null));
  }, [api, me, loadNotes]);

  async function saveProfile(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const phone = String(f.get("phone") ?? "").trim();
    const { error } = await api.PATCH("/users/me", {
      body: { name: String(f.get("name")), ...(phone ? { phone } : {}) },
    });
    if (error) return setProblem(show(error));
    setProblem(null);
    setNotice("Saved.");
    reload();
  }

  async function exportData() {
    const { data, error } = await api.GET("/users/me/export");
    if (error) return setProblem(show(error));
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "my-data.json";
    a.click();
    URL.revokeObjectURL(url);
  }

  async function erase() {
    const { error } = await api.DELETE("/users/me");
    setErasing(false);
    if (error) return setProblem(show(error));
    saveSession(null);
    router.push("/");
  }

  if (ready && !signedIn) return <p>Please <Link href="/signin?next=/account">sign in</Link>.</p>;
  if (!me) return <p className="muted">Loading…</p>;
  return (
    <>
      <h1>Account</h1>
      <FormMessage error={problem?.message} notice={notice} />
      <form onSubmit={saveProfile} noValidate aria-labelledby="profile">
        <h2 id="profile">Profile</h2>
        <p className="muted">{me.email} · roles: {me.roles.join(", ")}</p>
        <Field label="Name" name="name" defaultValue={me.name} error={problem?.fields.name} />
        <Field
          label="Phone (for SMS reminders)"
          name="phone"
          type="tel"
          defaultValue={me.phone ?? ""}
          hint={me.phone ? (me.phone_verified ? "Verified." : "Not verified yet: no SMS until it is.") : "E.164, e.g. +4915112345678"}
          error={problem?.fields.phone}
        />
        <p>
          <button type="submit">Save</button>
        </p>
      </form>
      {me.phone && !me.phone_verified && (
        <PhoneVerify
          onVerified={() => {
            setNotice("Your phone number is verified.");
            reload();
          }}
        />
      )}
      <BillingForm billing={me.billing} onSaved={reload} />
      <section aria-labelledby="membership">
        <h2 id="membership">Membership</h2>
        {membership ? (
          <p>
            Status: {membership.status}
            {membership.current_period_end && ` · paid until ${membership.current_period_end.slice(0, 10)}`}
          </p>
        ) : (
          <p>
            No membership. <Link href="/plans">See the plans</Link>.
          </p>
        )}
      </section>
      <MyInvoices />
      <CalendarFeed />
      <section aria-labelledby="notes">
        <h2 id="notes">Notifications</h2>
        {notes === null ? (
          <p className="muted">Loading…</p>
        ) : notes.length === 0 ? (
          <p>Nothing yet.</p>
        ) : (
          <ul>
            {notes.map((n) => (
              <li key={n.id}>
                <strong>{n.title}</strong> {n.body}{" "}
                {n.read_at ? (
                  <span className="muted">(read)</span>
                ) : (
                  <button
                    type="button"
                    className="link"
                    onClick={async () => {
                      await api.PUT("/users/me/notifications/{notificationId}/read", { params: { path: { notificationId: n.id } } });
                      void loadNotes();
                    }}
                  >
                    Mark read
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="data">
        <h2 id="data">Your data</h2>
        <p className="row">
          <button type="button" className="secondary" onClick={exportData}>
            Download my data
          </button>
          <button type="button" className="danger" onClick={() => setErasing(true)}>
            Erase my account…
          </button>
        </p>
        {erasing && (
          <div role="dialog" aria-labelledby="erase-q" className="card">
            <p id="erase-q">
              This deletes your account and everything that names you; payments stay as anonymous financial records.
              It cannot be undone.
            </p>
            <div className="row">
              <button type="button" className="danger" onClick={erase}>
                Erase it
              </button>
              <button type="button" className="secondary" onClick={() => setErasing(false)}>
                Keep my account
              </button>
            </div>
          </div>
        )}
      </section>
    </>
  );
}
