"use client";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import { Field, FormMessage } from "@/components/Field";

function Confirm() {
  const api = useApi();
  const router = useRouter();
  const params = useSearchParams();
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [email, setEmail] = useState(params.get("email") ?? "");

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get("code"));
    const { error } = await api.POST("/users/confirm", { body: { email, code } });
    if (error) return setProblem(show(error));
    router.push(`/signin?email=${encodeURIComponent(email)}&confirmed=1`);
  }

  async function resend() {
    setProblem(null);
    const { error } = await api.POST("/users/confirm/resend", { body: { email } });
    if (error) return setProblem(show(error));
    setNotice("If that address waits for confirmation, a new code is on its way.");
  }

  return (
    <>
      <h1>Confirm your email</h1>
      <p>We sent a code to your address. Type it here to finish signing up.</p>
      <form onSubmit={submit} noValidate>
        <FormMessage error={problem?.message} notice={notice} />
        <Field
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={problem?.fields.email}
        />
        <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" error={problem?.fields.code} />
        <p className="row">
          <button type="submit">Confirm</button>
          <button type="button" className="secondary" onClick={resend}>
            Send a new code
          </button>
        </p>
      </form>
    </>
  );
}

export default function ConfirmPage() {
  return (
    <Suspense>
      <Confirm />
    </Suspense>
  );
}
