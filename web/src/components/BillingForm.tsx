"use client";
// What a business member wants on their invoices: company, address and VAT id (all
// optional). Empty fields remove them; the API checks and normalises each one and names
// the field it refuses.
import { useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import type { components } from "@/api/schema";
import { Field, FormMessage } from "@/components/Field";

type Billing = components["schemas"]["BillingDetails"];

export function BillingForm({ billing, onSaved }: { billing: Billing | null | undefined; onSaved: () => void }) {
  const api = useApi();
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const address = {
      line1: text("line1"),
      ...(text("line2") ? { line2: text("line2") } : {}),
      postal_code: text("postal_code"),
      city: text("city"),
      country: text("country").toUpperCase(),
    };
    const anyAddress = Object.values(address).some((v) => v !== "");
    const next: Billing = {
      ...(text("company") ? { company: text("company") } : {}),
      ...(text("vat_id") ? { vat_id: text("vat_id") } : {}),
      ...(anyAddress ? { address } : {}),
    };
    const { data, error } = await api.PATCH("/users/me", {
      body: { billing: Object.keys(next).length > 0 ? next : null },
    });
    if (error || !data) {
      setNotice(null);
      return setProblem(show(error));
    }
    // Show what was kept (the VAT id as written on invoices, trimmed fields).
    const saved = data.billing;
    const shown: Record<string, string | undefined> = {
      company: saved?.company ?? undefined,
      vat_id: saved?.vat_id ?? undefined,
      line1: saved?.address?.line1,
      line2: saved?.address?.line2 ?? undefined,
      postal_code: saved?.address?.postal_code,
      city: saved?.address?.city,
      country: saved?.address?.country,
    };
    for (const [name, value] of Object.entries(shown)) {
      const input = form.elements.namedItem(name);
      if (input instanceof HTMLInputElement) input.value = value ?? "";
    }
    setProblem(null);
    setNotice("Saved: your next invoices carry these details.");
    onSaved();
  }

  const err = (k: string) => problem?.fields[`billing.${k}`];
  return (
    <form onSubmit={save} noValidate aria-labelledby="billing">
      <h2 id="billing">Billing details</h2>
      <p className="muted">
        For invoices to your company. With a VAT id from another EU country than the space&apos;s, no VAT is charged
        (reverse charge).
      </p>
      <FormMessage error={problem?.message} notice={notice} />
      <Field
        label="Company"
        name="company"
        autoComplete="organization"
        defaultValue={billing?.company ?? ""}
        error={err("company")}
      />
      <Field
        label="VAT id"
        name="vat_id"
        defaultValue={billing?.vat_id ?? ""}
        hint="Country letters and number, e.g. DE123456789"
        error={err("vat_id")}
      />
      <Field
        label="Address"
        name="line1"
        autoComplete="address-line1"
        defaultValue={billing?.address?.line1 ?? ""}
        error={err("address.line1")}
      />
      <Field
        label="Address line 2"
        name="line2"
        autoComplete="address-line2"
        defaultValue={billing?.address?.line2 ?? ""}
        error={err("address.line2")}
      />
      <div className="row">
        <Field
          label="Postal code"
          name="postal_code"
          autoComplete="postal-code"
          defaultValue={billing?.address?.postal_code ?? ""}
          error={err("address.postal_code")}
        />
        <Field
          label="City"
          name="city"
          autoComplete="address-level2"
          defaultValue={billing?.address?.city ?? ""}
          error={err("address.city")}
        />
        <Field
          label="Country"
          name="country"
          autoComplete="country"
          defaultValue={billing?.address?.country ?? ""}
          hint="Two letters, e.g. DE"
          error={err("address.country")}
        />
      </div>
      <p>
        <button type="submit">Save billing details</button>
      </p>
    </form>
  );
}
