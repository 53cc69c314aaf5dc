"use client";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState, type FormEvent } from "react";

import { useApi } from "@/api/client";
import { show } from "@/api/problem";
import type { components } from "@/api/schema";
import { AmenityChecklist } from "@/components/AmenityChecklist";
import { FormMessage } from "@/components/Field";
import { money } from "@/lib/format";
import { PLACES } from "@/lib/places";

type Hit = components["schemas"]["SearchHit"];

// After first paint, and only on the client: the map is not in the first load.
const SpaceMap = dynamic(() => import("./SpaceMap").then((m) => m.SpaceMap), {
  ssr: false,
  loading: () => <p className="muted">Loading the map…</p>,
});

interface Point {
  lat: number;
  lng: number;
}

export function SearchView() {
  const api = useApi();
  const router = useRouter();
  const [point, setPoint] = useState<Point>(PLACES[0]);
  const [placeName, setPlaceName] = useState<string>(PLACES[0].name);
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [loading, setLoading] = useState(false);
  const [query, setQuery] = useState<Record<string, string>>({});

  async function run(params: Record<string, string>, cursor?: string) {
    setLoading(true);
    setError(null);
    setFields({});
    const { data, error } = await api.GET("/spaces", {
      // Generated types say numbers; the form's values go out as typed text.
      params: { query: { ...params, ...(cursor ? { cursor } : {}) } as never },
    });
    setLoading(false);
    if (error || !data) {
      const shown = show(error);
      setError(shown.message);
      setFields(shown.fields);
      return;
    }
    setHits((prev) => (cursor && prev ? [...prev, ...data.items] : data.items));
    setNext(data.next_cursor ?? null);
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const params: Record<string, string> = {
      lat: String(point.lat),
      lng: String(point.lng),
      radius_km: String(form.get("radius_km") || "5"),
      limit: "20",
    };
    for (const key of ["type", "min_capacity", "max_price", "min_rating", "q", "sort"]) {
      const v = String(form.get(key) ?? "").trim();
      if (v) params[key] = key === "max_price" ? String(Math.round(Number(v) * 100)) : v;
    }
    const amenities = form.getAll("amenities").map(String);
    if (amenities.length) params.amenities = amenities.join(",");
    setQuery(params);
    void run(params);
  }

  function locate() {
    navigator.geolocation?.getCurrentPosition(
      (pos) => {
        setPoint({ lat: pos.coords.latitude, lng: pos.coords.longitude });
        setPlaceName("My location");
      },
      () => setError("Your browser did not share its location; pick a city instead."),
    );
  }

  const pins = useMemo(
    () => (hits ?? []).map((h) => ({ id: h.space_id, name: h.name, lat: h.location.lat, lng: h.location.lng })),
    [hits],
  );
  const center = useMemo<[number, number]>(() => [point.lat, point.lng], [point]);
  const open = useCallback((id: string) => router.push(`/spaces/${id}`), [router]);

  return (
    <>
      <h1>Find a desk, room or office</h1>
      <form onSubmit={submit} aria-label="Search spaces" noValidate>
        <div className="filters">
          <div>
            <label htmlFor="place">Near</label>
            <select
              id="place"
              value={placeName}
              onChange={(e) => {
                const p = PLACES.find((x) => x.name === e.target.value);
                if (p) {
                  setPoint(p);
                  setPlaceName(p.name);
                }
              }}
            >
              {placeName === "My location" && <option>My location</option>}
              {PLACES.map((p) => (
                <option key={p.name}>{p.name}</option>
              ))}
            </select>
          </div>
          <div>
            <button type="button" className="secondary" onClick={locate}>
              Use my location
            </button>
          </div>
          <div>
            <label htmlFor="radius_km">Within (km)</label>
            <input id="radius_km" name="radius_km" type="number" min="1" max="50" defaultValue="5" />
            {fields.radius_km && <p className="field-error">{fields.radius_km}</p>}
          </div>
          <div>
            <label htmlFor="q">Words</label>
            <input id="q" name="q" type="search" placeholder="name or description" />
            {fields.q && <p className="field-error">{fields.q}</p>}
          </div>
          <div>
            <label htmlFor="type">Type</label>
            <select id="type" name="type" defaultValue="">
              <option value="">Any</option>
              <option value="desk">Desk</option>
              <option value="room">Meeting room</option>
              <option value="office">Office</option>
            </select>
          </div>
          <div>
            <label htmlFor="min_capacity">Seats at least</label>
            <input id="min_capacity" name="min_capacity" type="number" min="1" />
            {fields.min_capacity && <p className="field-error">{fields.min_capacity}</p>}
          </div>
          <div>
            <label htmlFor="max_price">Price per hour up to</label>
            <input id="max_price" name="max_price" type="number" min="0" step="0.5" />
            {fields.max_price && <p className="field-error">{fields.max_price}</p>}
          </div>
          <div>
            <label htmlFor="min_rating">Rating at least</label>
            <select id="min_rating" name="min_rating" defaultValue="">
              <option value="">Any</option>
              <option value="3">3</option>
              <option value="4">4</option>
              <option value="4.5">4.5</option>
            </select>
          </div>
          <div>
            <label htmlFor="sort">Sort by</label>
            <select id="sort" name="sort" defaultValue="distance">
              <option value="distance">Distance</option>
              <option value="price">Price</option>
              <option value="rating">Rating</option>
              <option value="relevance">Best match (needs words)</option>
            </select>
          </div>
        </div>
        <AmenityChecklist />
        <p>
          <button type="submit" disabled={loading}>
            {loading ? "Searching…" : "Search"}
          </button>
        </p>
      </form>
      <FormMessage error={error} />
      {hits === null ? (
        <p className="muted">Pick a place and search.</p>
      ) : hits.length === 0 ? (
        <p>No space matches. Try a larger radius or fewer filters.</p>
      ) : (
        <section aria-label="Results">
          <p role="status">
            {hits.length} space{hits.length === 1 ? "" : "s"} near {placeName}
          </p>
          <SpaceMap center={center} pins={pins} onOpen={open} />
          <ul className="cards" aria-label="Spaces found">
            {hits.map((h) => (
              <li key={h.space_id} className="card">
                <h2 style={{ fontSize: "1.1rem", margin: 0 }}>
                  <Link href={`/spaces/${h.space_id}`}>{h.name}</Link>
                </h2>
                <p className="muted" style={{ margin: 0 }}>
                  {h.city}
                  {h.distance_km != null && ` · ${h.distance_km.toFixed(1)} km`}
                  {h.rating.average != null && ` · ★ ${h.rating.average.toFixed(1)} (${h.rating.count})`}
                </p>
                <p style={{ margin: "0.25rem 0 0" }}>
                  {h.items.length} matching item{h.items.length === 1 ? "" : "s"}
                  {h.items[0] &&
                    `, from ${money(
                      Math.min(...h.items.map((i) => i.price_per_hour.amount)),
                      h.items[0].price_per_hour.currency,
                    )} / hour`}
                </p>
              </li>
            ))}
          </ul>
          {next && (
            <button type="button" className="secondary" onClick={() => run(query, next)} disabled={loading}>
              More results
            </button>
          )}
        </section>
      )}
    </>
  );
}
