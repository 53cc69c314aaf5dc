"use client";
import Link from "next/link";
import { useCallback, useEffect, useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import type { components } from "@/api/schema";
import { Field, FormMessage } from "@/components/Field";
import { QuotaFields, readQuotas } from "@/components/QuotaFields";
import { useSession } from "@/components/useSession";
import { money } from "@/lib/format";

type Plan = components["schemas"]["MembershipPlan"];
type Audit = components["schemas"]["AuditEntry"];

/** A plan's limits, as the plans list shows them. */
function limitsText(q: Plan["benefits"]["quotas"]): string {
  const parts = [
    q?.hours_per_week != null ? `${q.hours_per_week} h a week` : null,
    q?.bookings_per_day != null ? `${q.bookings_per_day} bookings a day` : null,
    q?.days_ahead != null ? `${q.days_ahead} days ahead` : null,
  ].filter(Boolean);
  return parts.length > 0 ? `; limits: ${parts.join(", ")}` : "";
}

// Creating a plan, or editing one picked from the list (the same form, filled with it).
function Plans() {
  const api = useApi();
  const [plans, setPlans] = useState<Plan[]>([]);
  const [editing, setEditing] = useState<Plan | null>(null);
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = useCallback(() => api.GET("/membership-plans").then(({ data }) => setPlans(data?.items ?? [])), [api]);
  useEffect(() => void load(), [load]);
  function edit(plan: Plan | null) {
    setEditing(plan);
    setProblem(null);
    setNotice(null);
  }
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const limits = readQuotas(f, "benefits.quotas");
    if ("fields" in limits) {
      setNotice(null);
      return setProblem({ message: "Please correct the highlighted fields.", fields: limits.fields });
    }
    const plan = {
      name: String(f.get("name")),
      description: String(f.get("description")),
      monthly_price: { amount: Math.round(Number(f.get("price")) * 100), currency: String(f.get("currency")).toLowerCase() },
      // Benefits are replaced whole: the covered spaces (not edited here) are kept.
      benefits: {
        space_ids: editing?.benefits.space_ids ?? [],
        included_hours_per_month: Number(f.get("hours")),
        discount_percent: Number(f.get("discount")),
        quotas: limits.quotas,
      },
    };
    const { data, error } = editing
      ? await api.PATCH("/membership-plans/{planId}", { params: { path: { planId: editing.id } }, body: plan })
      : await api.POST("/membership-plans", { body: plan });
    if (error || !data) {
      setNotice(null);
      return setProblem(show(error));
    }
    setProblem(null);
    if (editing) setEditing(null);
    else form.reset();
    setNotice(editing ? `Saved ${data.name}.` : `Created ${data.name}.`);
    void load();
  }
  const err = (k: string) => problem?.fields[k];
  const b = editing?.benefits;
  return (
    <section aria-labelledby="plans">
      <h2 id="plans">Plans</h2>
      <ul>
        {plans.map((p) => (
          <li key={p.id}>
            {p.name}: {money(p.monthly_price.amount, p.monthly_price.currency)} a month ({p.status}
            {limitsText(p.benefits.quotas)}){" "}
            <button type="button" className="link" onClick={() => edit(p)} aria-label={`Edit ${p.name}`}>
              Edit
            </button>
          </li>
        ))}
      </ul>
      {/* A new key per plan: the inputs start from the plan's values. */}
      <form key={editing?.id ?? "new"} onSubmit={submit} noValidate aria-labelledby="plan-form">
        <h3 id="plan-form">{editing ? `Edit ${editing.name}` : "New plan"}</h3>
        <FormMessage error={problem?.message} notice={notice} />
        <Field label="Plan name" name="name" defaultValue={editing?.name} error={err("name")} />
        <Field label="Description" name="description" defaultValue={editing?.description} error={err("description")} />
        <Field label="Monthly price" name="price" inputMode="decimal" defaultValue={editing ? editing.monthly_price.amount / 100 : undefined} error={err("monthly_price.amount")} />
        <Field label="Currency" name="currency" defaultValue={editing?.monthly_price.currency.toUpperCase() ?? "EUR"} error={err("monthly_price.currency")} />
        <Field label="Included hours per month" name="hours" type="number" defaultValue={b?.included_hours_per_month ?? 0} error={err("benefits.included_hours_per_month")} />
        <Field label="Discount (%)" name="discount" type="number" defaultValue={b?.discount_percent ?? 0} error={err("benefits.discount_percent")} />
        <QuotaFields legend="Member limits (on bookings that use the plan)" who="each member on this plan" field="benefits.quotas" quotas={b?.quotas} errors={problem?.fields} />
        <p className="row">
          <button type="submit">{editing ? "Save plan" : "Create plan"}</button>
          {editing && (
            <button type="button" className="secondary" onClick={() => edit(null)}>
              Cancel editing
            </button>
          )}
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
