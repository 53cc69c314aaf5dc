import type { NextConfig } from "next";

// The app is served by `next start` (standalone output for the Lambda deployment): every
// page reads its API address at request time, so one build runs against any stage.
const config: NextConfig = {
  output: "standalone",
  poweredByHeader: false,
  reactStrictMode: true,
  // Remote photos are shown with plain <img>: no image optimiser fetching the internet.
  images: { unoptimized: true },
};

export default config;
