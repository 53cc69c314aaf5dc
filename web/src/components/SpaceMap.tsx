"use client";
// The results on a map. Leaflet is loaded after the list is on screen (it is not part of
// the page's first load), and without tiles (none configured, or they fail to load) the
// markers still show on a plain background: the list beside it has everything.
import { useEffect, useRef, useState } from "react";

import { useConfig } from "@/lib/config";

export interface Pin {
  id: string;
  name: string;
  lat: number;
  lng: number;
}

export function SpaceMap({ center, pins, onOpen }: { center: [number, number]; pins: Pin[]; onOpen: (id: string) => void }) {
  const { tileUrl } = useConfig();
  const ref = useRef<HTMLDivElement>(null);
  const [tilesFailed, setTilesFailed] = useState(!tileUrl);

  useEffect(() => {
    let map: import("leaflet").Map | null = null;
    let cancelled = false;
    (async () => {
      const L = await import("leaflet");
      await import("leaflet/dist/leaflet.css");
      if (cancelled || !ref.current) return;
      map = L.map(ref.current, { keyboard: true }).setView(center, 12);
      if (tileUrl) {
        const tiles = L.tileLayer(tileUrl, {
          attribution: "© OpenStreetMap contributors",
          maxZoom: 19,
        });
        tiles.on("tileerror", () => setTilesFailed(true));
        tiles.addTo(map);
      }
      const bounds = L.latLngBounds([center]);
      for (const p of pins) {
        const marker = L.circleMarker([p.lat, p.lng], { radius: 8, color: "#0b5fbf", fillOpacity: 0.8 })
          .bindTooltip(p.name)
          .on("click", () => onOpen(p.id));
        marker.addTo(map);
        bounds.extend([p.lat, p.lng]);
      }
      if (pins.length > 0) map.fitBounds(bounds.pad(0.1));
    })();
    return () => {
      cancelled = true;
      map?.remove();
    };
  }, [center, pins, tileUrl, onOpen]);

  return (
    <figure>
      <div ref={ref} className="map" role="region" aria-label="Map of the results" />
      {tilesFailed && (
        <figcaption className="muted">Map tiles are unavailable; every result is in the list.</figcaption>
      )}
    </figure>
  );
}
