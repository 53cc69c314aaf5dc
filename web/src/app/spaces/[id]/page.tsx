// A space's public page, rendered on the server (search engines read it whole); the
// availability grid and booking are the client part beneath.
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import type { components } from "@/api/schema";
import { Availability } from "@/components/Availability";
import { money } from "@/lib/format";
import { label } from "@/lib/places";
import { internalApiUrl } from "@/lib/server-config";

type SpaceResponse = components["schemas"]["SpaceResponse"];
type Review = components["schemas"]["Review"];
type Similar = components["schemas"]["Similar"];

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

async function load(id: string): Promise<{ space: SpaceResponse; reviews: Review[]; similar: Similar[] } | null> {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) return null;
  const base = internalApiUrl();
  const res = await fetch(`${base}/spaces/${id}`, { cache: "no-store" });
  if (res.status === 404 || res.status === 400) return null;
  if (!res.ok) throw new Error(`space ${id}: ${res.status}`);
  const space = (await res.json()) as SpaceResponse;
  const r = await fetch(`${base}/spaces/${id}/reviews`, { cache: "no-store" });
  const reviews = r.ok ? (((await r.json()) as { items?: Review[] }).items ?? []) : [];
  // Recommendations are a nicety: the page renders without them.
  const s = await fetch(`${base}/spaces/${id}/similar?limit=4`, { cache: "no-store" });
  const similar = s.ok ? (((await s.json()) as { items?: Similar[] }).items ?? []) : [];
  return { space, reviews, similar };
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const data = await load((await params).id);
  if (!data) return { title: "Space not found" };
  const { space } = data;
  return {
    title: `${space.name}, ${space.address.city}`,
    description: space.description.slice(0, 160),
  };
}

export default async function SpacePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ day?: string | string[] }>;
}) {
  const data = await load((await params).id);
  const { day } = await searchParams;
  if (!data) notFound();
  const { space, reviews, similar } = data;
  const live = space.items.filter((i) => !i.retired_at);
  const ratings = reviews.map((r) => r.rating);
  const average = ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null;
  return (
    <article>
      <h1>{space.name}</h1>
      <p className="muted">
        {space.address.line1}, {space.address.postal_code} {space.address.city}, {space.address.country} · times in{" "}
        {space.time_zone}
        {average != null && ` · ★ ${average.toFixed(1)} from ${ratings.length} review${ratings.length === 1 ? "" : "s"}`}
      </p>
      {(space.photos ?? []).length > 0 && (
        <ul className="cards">
          {(space.photos ?? []).slice(0, 4).map((src, i) => (
            <li key={src}>
              {/* eslint-disable-next-line @next/next/no-img-element -- remote photos, no optimiser */}
              <img src={src} alt={`${space.name}, photo ${i + 1}`} loading="lazy" width={320} height={200} />
            </li>
          ))}
        </ul>
      )}
      <p>{space.description}</p>
      <section aria-labelledby="amenities">
        <h2 id="amenities">Amenities</h2>
        {(space.amenities ?? []).length ? (
          <ul className="row" style={{ listStyle: "none", padding: 0 }}>
            {(space.amenities ?? []).map((a) => (
              <li key={a} className="card">
                {label(a)}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">None listed.</p>
        )}
      </section>
      <section aria-labelledby="hours">
        <h2 id="hours">Opening hours ({space.time_zone})</h2>
        <dl className="breakdown">
          {DAYS.map((d) => (
            <div key={d} style={{ display: "contents" }}>
              <dt style={{ textTransform: "capitalize" }}>{d}</dt>
              <dd>
                {(space.opening_hours[d] ?? []).map((h) => `${h.open}–${h.close}`).join(", ") || "closed"}
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="items">
        <h2 id="items">What you can book</h2>
        <ul className="cards">
          {live.map((i) => (
            <li key={i.id} className="card">
              <strong>{i.identifier}</strong> · {i.kind} · {i.capacity} seat{i.capacity === 1 ? "" : "s"} ·{" "}
              {money(i.price_per_hour.amount, i.price_per_hour.currency)} / hour
            </li>
          ))}
        </ul>
      </section>
      <Availability spaceId={space.id} timeZone={space.time_zone} day={typeof day === "string" ? day : undefined} />
      <section aria-labelledby="reviews">
        <h2 id="reviews">Reviews</h2>
        {reviews.length === 0 ? (
          <p className="muted">No reviews yet.</p>
        ) : (
          <ul>
            {reviews.map((r) => (
              <li key={r.id}>
                ★ {r.rating} {r.comment && `: ${r.comment}`}{" "}
                <span className="muted">({new Date(r.created_at).toISOString().slice(0, 10)})</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {similar.length > 0 && (
        <section aria-labelledby="similar">
          <h2 id="similar">Similar spaces nearby</h2>
          <ul className="cards">
            {similar.map((h) => (
              <li key={h.space_id} className="card">
                <a href={`/spaces/${h.space_id}`}>{h.name}</a>
                <span className="muted">
                  {" "}
                  · {h.city}
                  {h.distance_km != null && ` · ${h.distance_km.toFixed(1)} km`}
                  {h.rating.average != null && ` · ★ ${h.rating.average.toFixed(1)}`}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}
