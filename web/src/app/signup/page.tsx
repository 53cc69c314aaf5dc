"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import { Field, FormMessage } from "@/components/Field";

export default function SignUp() {
  const api = useApi();
  const router = useRouter();
  const [problem, setProblem] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email"));
    setBusy(true);
    const { error } = await api.POST("/users/register", {
      body: { email, name: String(form.get("name")), password: String(form.get("password")) },
    });
    setBusy(false);
    if (error) return setProblem(show(error));
    router.push(`/confirm?email=${encodeURIComponent(email)}`);
  }

  return (
    <>
      <h1>Create your account</h1>
      <form onSubmit={submit} noValidate>
        <FormMessage error={problem?.message} />
        <Field label="Name" name="name" autoComplete="name" required error={problem?.fields.name} />
        <Field label="Email" name="email" type="email" autoComplete="email" required error={problem?.fields.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 12 characters with upper and lower case letters, a digit and a symbol."
          error={problem?.fields.password}
        />
        <p>
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create account"}
          </button>
        </p>
      </form>
    </>
  );
}
