"use client";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import { Field, FormMessage } from "@/components/Field";
import { saveSession, sessionFrom } from "@/lib/session";

function SignIn() {
  const api = useApi();
  const router = useRouter();
  const params = useSearchParams();
  const [problem, setProblem] = useState<Shown | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email"));
    const { data, error } = await api.POST("/users/login", {
      body: { email, password: String(form.get("password")) },
    });
    if (error || !data) return setProblem(show(error));
    saveSession(sessionFrom(data, email));
    router.push(params.get("next") ?? "/");
  }

  return (
    <>
      <h1>Sign in</h1>
      <form onSubmit={submit} noValidate>
        <FormMessage
          error={problem?.message}
          notice={params.get("confirmed") ? "Your email is confirmed: sign in to continue." : null}
        />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          defaultValue={params.get("email") ?? ""}
          error={problem?.fields.email}
        />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={problem?.fields.password} />
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </>
  );
}

export default function SignInPage() {
  return (
    <Suspense>
      <SignIn />
    </Suspense>
  );
}
