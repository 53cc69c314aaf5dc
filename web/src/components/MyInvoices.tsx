"use client";
import { useEffect, useState } from "react";

import type { components } from "@/api/schema";
import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import { DocumentPdf } from "@/components/DocumentPdf";
import { FormMessage } from "@/components/Field";
import { money } from "@/lib/format";

type Doc = components["schemas"]["DocumentView"];

/** The member's invoices and credit notes, newest first. A PDF is fetched through a
 * link that works for five minutes, made when asked for (never kept in the page). */
export function MyInvoices() {
  const api = useApi();
  const [docs, setDocs] = useState<Doc[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void (async () => {
      const { data, error } = await api.GET("/users/me/invoices", { params: { query: { limit: 50 } } });
      if (error || !data) return setProblem(show(error).message);
      setDocs(data.items);
    })();
  }, [api]);


  return (
    <section aria-labelledby="invoices">
      <h2 id="invoices">Invoices and credit notes</h2>
      <FormMessage error={problem} />
      {docs === null ? (
        <p className="muted">Loading…</p>
      ) : docs.length === 0 ? (
        <p>None yet: every paid booking and membership charge gets one.</p>
      ) : (
        <table className="invoices">
          <caption className="muted">Issued by the space&rsquo;s operator (memberships: by the platform).</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Date</th>
              <th scope="col">For</th>
              <th scope="col">Total</th>
              <th scope="col">PDF</th>
            </tr>
          </thead>
          <tbody>
            {docs.map((d) => (
              <tr key={d.id}>
                <th scope="row">
                  {d.kind === "credit_note" ? "Credit note " : "Invoice "}
                  {d.written_number}
                  {d.credits && <span className="muted"> (on {d.credits})</span>}
                </th>
                <td>{d.issued_at.slice(0, 10)}</td>
                <td>{d.subject.description}</td>
                <td>{money(d.totals.gross, d.currency)}</td>
                <td>
                  <DocumentPdf doc={d} onProblem={setProblem} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
