"use client";
import { useCallback, useEffect, useState, type FormEvent } from "react";

import type { components } from "@/api/schema";
import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import { Field, FormMessage } from "@/components/Field";

type Code = components["schemas"]["PromoCode"];
const DAY = 24 * 60 * 60 * 1000;

/** An operator's promo codes for one space: made here (a percentage off, a total and a
 * per-member limit, valid for some days), listed with how often each was redeemed, and
 * switched off or on. */
export function SpacePromos({ spaceId }: { spaceId: string }) {
  const api = useApi();
  const [codes, setCodes] = useState<Code[] | null>(null);
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error } = await api.GET("/promo-codes");
    if (error || !data) return setProblem(show(error));
    setCodes(data.items.filter((c) => c.scope.kind === "spaces" && c.scope.space_ids.includes(spaceId)));
  }, [api, spaceId]);

  useEffect(() => {
    void load();
  }, [load]);

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? "").trim();
    const optional = (k: string) => (s(k) === "" ? undefined : Number(s(k)));
    const now = Date.now();
    const { data, error } = await api.POST("/promo-codes", {
      body: {
        code: s("code"),
        space_ids: [spaceId],
        discount: { kind: "percent", percent: Number(s("percent")) },
        valid_from: new Date(now - 60_000).toISOString(),
        valid_until: new Date(now + Number(s("days")) * DAY).toISOString(),
        max_redemptions: optional("max_redemptions"),
        per_member_limit: optional("per_member_limit"),
      },
    });
    if (error || !data) return setProblem(show(error));
    setProblem(null);
    setNotice(`Created ${data.code}.`);
    void load();
  }

  async function toggle(c: Code) {
    const { error } = await api.PATCH("/promo-codes/{code}", {
      params: { path: { code: c.code } },
      body: { disabled: !c.disabled },
    });
    if (error) return setProblem(show(error));
    setNotice(`${c.code} is ${c.disabled ? "on" : "off"}.`);
    void load();
  }

  const err = (k: string) => problem?.fields[k];
  return (
    <section aria-labelledby="promos">
      <h2 id="promos">Promo codes</h2>
      <FormMessage error={problem?.message} notice={notice} />
      {codes && codes.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Off</th>
              <th scope="col">Redeemed</th>
              <th scope="col">Valid until</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {codes.map((c) => (
              <tr key={c.code}>
                <th scope="row">{c.code}</th>
                <td>{c.discount.kind === "percent" ? `${c.discount.percent} %` : `${c.discount.amount / 100} ${c.discount.currency}`}</td>
                <td data-testid={`redeemed-${c.code}`}>
                  {c.redeemed}
                  {c.max_redemptions != null && ` of ${c.max_redemptions}`}
                </td>
                <td>{c.valid_until.slice(0, 10)}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => void toggle(c)}>
                    {c.disabled ? `Switch ${c.code} on` : `Switch ${c.code} off`}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={create} noValidate aria-label="New promo code">
        <Field label="Code (letters, digits, -)" name="code" maxLength={32} error={err("code")} />
        <Field label="Percent off" name="percent" type="number" defaultValue="10" error={err("discount.percent")} />
        <Field label="Valid for (days)" name="days" type="number" defaultValue="30" error={err("valid_until")} />
        <Field label="Redemptions in all (empty: no limit)" name="max_redemptions" type="number" error={err("max_redemptions")} />
        <Field label="Per member (empty: no limit)" name="per_member_limit" type="number" defaultValue="1" error={err("per_member_limit")} />
        <p>
          <button type="submit">Create promo code</button>
        </p>
      </form>
    </section>
  );
}
