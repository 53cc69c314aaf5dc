"use client";
import Link from "next/link";
import { useCallback, useEffect, useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import type { components } from "@/api/schema";
import { Field, FormMessage } from "@/components/Field";
import { useSession } from "@/components/useSession";
import { money } from "@/lib/format";

type Plan = components["schemas"]["MembershipPlan"];
type Audit = components["schemas"]["AuditEntry"];

function Plans() {
  const api = useApi();
  const [plans, setPlans] = useState<Plan[]>([]);
  const [problem, setProblem] = useState<Shown | null>(null);
  const load = useCallback(() => api.GET("/membership-plans").then(({ data }) => setPlans(data?.items ?? [])), [api]);
  useEffect(() => void load(), [load]);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const { error } = await api.POST("/membership-plans", {
      body: {
        name: String(f.get("name")),
        description: String(f.get("description")),
        monthly_price: { amount: Math.round(Number(f.get("price")) * 100), currency: String(f.get("currency")).toLowerCase() },
        benefits: {
          included_hours_per_month: Number(f.get("hours")),
          discount_percent: Number(f.get("discount")),
        },
      },
    });
    if (error) return setProblem(show(error));
    setProblem(null);
    void load();
  }
  return (
    <section aria-labelledby="plans">
      <h2 id="plans">Plans</h2>
      <ul>
        {plans.map((p) => (
          <li key={p.id}>
            {p.name}: {money(p.monthly_price.amount, p.monthly_price.currency)} a month ({p.status})
          </li>
        ))}
      </ul>
      <form onSubmit={submit} noValidate>
        <FormMessage error={problem?.message} />
        <Field label="Plan name" name="name" error={problem?.fields.name} />
        <Field label="Description" name="description" error={problem?.fields.description} />
        <Field label="Monthly price" name="price" inputMode="decimal" error={problem?.fields["monthly_price.amount"]} />
        <Field label="Currency" name="currency" defaultValue="EUR" error={problem?.fields["monthly_price.currency"]} />
        <Field label="Included hours per month" name="hours" type="number" defaultValue="0" error={problem?.fields["benefits.included_hours_per_month"]} />
        <Field label="Discount (%)" name="discount" type="number" defaultValue="0" error={problem?.fields["benefits.discount_percent"]} />
        <p>
          <button type="submit">Create plan</button>
        </p>
      </form>
    </section>
  );
}

function Roles() {
  const api = useApi();
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  async function change(e: FormEvent<HTMLFormElement>, grant: boolean) {
    e.preventDefault();
    const f = new FormData(e.currentTarget.form ?? e.currentTarget);
    const path = { userId: String(f.get("user")), role: String(f.get("role")) };
    const { error } = grant
      ? await api.PUT("/users/{userId}/roles/{role}", { params: { path } })
      : await api.DELETE("/users/{userId}/roles/{role}", { params: { path } });
    if (error) return setProblem(show(error));
    setProblem(null);
    setNotice(grant ? "Granted." : "Revoked; the user is signed out everywhere.");
  }
  return (
    <section aria-labelledby="roles">
      <h2 id="roles">Roles</h2>
      <form onSubmit={(e) => change(e, true)} noValidate>
        <FormMessage error={problem?.message} notice={notice} />
        <Field label="User id" name="user" error={problem?.fields.userId} />
        <label htmlFor="role">Role</label>
        <select id="role" name="role">
          <option value="operator">operator</option>
          <option value="admin">admin</option>
        </select>
        <p className="row">
          <button type="submit">Grant</button>
          <button type="button" className="secondary" onClick={(e) => change(e as unknown as FormEvent<HTMLFormElement>, false)}>
            Revoke
          </button>
        </p>
      </form>
    </section>
  );
}

function AuditLog() {
  const api = useApi();
  const [month, setMonth] = useState(() => new Date().toISOString().slice(0, 7));
  const [entries, setEntries] = useState<Audit[] | null>(null);
  useEffect(() => {
    void api.GET("/audit", { params: { query: { month } } }).then(({ data }) => setEntries((data?.items as Audit[] | undefined) ?? []));
  }, [api, month]);
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit log</h2>
      <label htmlFor="month">Month</label>
      <input id="month" type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p>No entries this month.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((a) => (
              <tr key={a.id}>
                <td>{a.at.slice(0, 19).replace("T", " ")}</td>
                <td>
                  {a.actor_id} ({a.actor_roles.join(", ")})
                </td>
                <td>{a.action}</td>
                <td>{a.target}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export default function Admin() {
  const { session, ready } = useSession();
  if (ready && !session) return <p>Please <Link href="/signin?next=/admin">sign in</Link>.</p>;
  return (
    <>
      <h1>Admin</h1>
      <Plans />
      <Roles />
      <AuditLog />
    </>
  );
}
