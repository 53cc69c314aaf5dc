"use client";
import { useEffect, useState } from "react";

import type { components } from "@/api/schema";
import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import { DocumentPdf } from "@/components/DocumentPdf";
import { FormMessage } from "@/components/Field";
import { money } from "@/lib/format";

type Doc = components["schemas"]["DocumentView"];

/** The invoices and credit notes an operator issued for one space, newest first, each
 * with a five-minute link to its PDF made when asked for. */
export function SpaceInvoices({ spaceId }: { spaceId: string }) {
  const api = useApi();
  const [docs, setDocs] = useState<Doc[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void (async () => {
      const { data, error } = await api.GET("/spaces/{spaceId}/invoices", {
        params: { path: { spaceId }, query: { limit: 100 } },
      });
      if (error || !data) return setProblem(show(error).message);
      setDocs(data.items);
    })();
  }, [api, spaceId]);


  return (
    <section aria-labelledby="space-invoices">
      <h2 id="space-invoices">Invoices issued</h2>
      <FormMessage error={problem} />
      {docs === null ? (
        <p className="muted">Loading…</p>
      ) : docs.length === 0 ? (
        <p>None yet: every paid booking here gets one, numbered in your own sequence.</p>
      ) : (
        <table className="invoices">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Date</th>
              <th scope="col">Buyer</th>
              <th scope="col">Total</th>
              <th scope="col">VAT</th>
              <th scope="col">PDF</th>
            </tr>
          </thead>
          <tbody>
            {docs.map((d) => (
              <tr key={d.id}>
                <th scope="row">{d.written_number}</th>
                <td>{d.issued_at.slice(0, 10)}</td>
                <td>{d.buyer.name}</td>
                <td>{money(d.totals.gross, d.currency)}</td>
                <td>{money(d.totals.tax, d.currency)}</td>
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
