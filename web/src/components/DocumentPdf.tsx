"use client";
import { useState } from "react";

import type { components } from "@/api/schema";
import { useApi } from "@/api/client";
import { show } from "@/api/problem";

type Doc = components["schemas"]["DocumentView"];

/** An invoice's or credit note's PDF: a link that works for five minutes, made when asked
 * for (never kept in the page longer than that). */
export function DocumentPdf({ doc, onProblem }: { doc: Doc; onProblem: (message: string | null) => void }) {
  const api = useApi();
  const [url, setUrl] = useState<string | null>(null);

  async function make() {
    const { data, error } = await api.GET("/invoices/{documentId}/pdf", {
      params: { path: { documentId: doc.id } },
    });
    if (error || !data) return onProblem(show(error).message);
    onProblem(null);
    setUrl(data.url);
  }

  return url ? (
    <a href={url} target="_blank" rel="noopener noreferrer">
      Open {doc.written_number}.pdf
    </a>
  ) : (
    <button type="button" className="secondary" onClick={() => void make()}>
      PDF of {doc.written_number}
    </button>
  );
}
