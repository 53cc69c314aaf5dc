"use client";
// Proving the profile's phone number: a code by SMS, typed back. Until then no SMS
// reminders go to the number (the API enforces it; this is the way to get there).
import { useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import { Field, FormMessage } from "@/components/Field";

export function PhoneVerify({ onVerified }: { onVerified: () => void }) {
  const api = useApi();
  const [sent, setSent] = useState(false);
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function send() {
    const { error } = await api.POST("/users/me/phone/code");
    if (error) return setProblem(show(error));
    setProblem(null);
    setSent(true);
    setNotice("A code is on its way by SMS; it is valid for ten minutes.");
  }

  async function verify(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get("code") ?? "").trim();
    const { error } = await api.POST("/users/me/phone/verify", { body: { code } });
    if (error) return setProblem(show(error));
    setProblem(null);
    onVerified();
  }

  return (
    <div className="card" aria-labelledby="verify-phone">
      <h3 id="verify-phone" style={{ marginTop: 0 }}>
        Verify your phone
      </h3>
      <FormMessage error={problem?.message} notice={notice} />
      {!sent ? (
        <button type="button" className="secondary" onClick={send}>
          Text me a code
        </button>
      ) : (
        <form onSubmit={verify} noValidate>
          <Field label="Code from the SMS" name="code" inputMode="numeric" autoComplete="one-time-code" error={problem?.fields.code} />
          <p className="row">
            <button type="submit">Verify</button>
            <button type="button" className="link" onClick={send}>
              Send another code
            </button>
          </p>
        </form>
      )}
    </div>
  );
}
