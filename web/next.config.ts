import type { NextConfig } from "next";

// The app is served by `next start` (standalone output for the Lambda deployment): every
// page reads its API address at request time, so one build runs against any stage.
const config: NextConfig = {
  output: "standalone",
  poweredByHeader: false,
  reactStrictMode: true,
  // Remote photos are shown with plain <img>: no image optimiser fetching the internet.
  images: { unoptimized: true },
  // Baseline browser protections on every page: no framing (clickjacking), no MIME
  // sniffing, no full URLs (booking ids) leaked as referrers to other sites, and only this
  // site may ask for the location (the search's "use my location").
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'" },
          { key: "X-Frame-Options", value: "DENY" },
          // Browsers honour it over HTTPS only (every deployed stage); harmless locally.
          { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "Permissions-Policy", value: "geolocation=(self), camera=(), microphone=()" },
        ],
      },
    ];
  },
};

export default config;
