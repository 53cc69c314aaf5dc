"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense, use, useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import { Field, FormMessage } from "@/components/Field";

function Review({ spaceId }: { spaceId: string }) {
  const api = useApi();
  const booking = useSearchParams().get("booking");
  const [problem, setProblem] = useState<Shown | null>(null);
  const [done, setDone] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const { error } = await api.POST("/spaces/{spaceId}/reviews", {
      params: { path: { spaceId } },
      body: { rating: Number(f.get("rating")), comment: String(f.get("comment") ?? ""), ...(booking ? { booking_id: booking } : {}) },
    });
    if (error) return setProblem(show(error));
    setDone(true);
  }
  if (done) return <p className="notice" role="status">Thank you. <Link href={`/spaces/${spaceId}`}>Back to the space</Link></p>;
  return (
    <form onSubmit={submit} noValidate>
      <h1>Review your stay</h1>
      <FormMessage error={problem?.message} />
      <label htmlFor="rating">Rating</label>
      <select id="rating" name="rating" defaultValue="5">
        {[5, 4, 3, 2, 1].map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      {problem?.fields.rating && <p className="field-error">{problem.fields.rating}</p>}
      <Field label="Comment" name="comment" error={problem?.fields.comment} />
      <p>
        <button type="submit">Send review</button>
      </p>
    </form>
  );
}

export default function ReviewPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  return (
    <Suspense>
      <Review spaceId={id} />
    </Suspense>
  );
}
