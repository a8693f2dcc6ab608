import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Served by Switchyard's own Node server on a LAN, often without internet: nothing in the build
  // or at runtime may reach out (no remote fonts, no image optimiser fetching remote sources).
  images: { unoptimized: true },
  // The dev-mode corner badge overlaps the dashboard's bottom-left cards.
  devIndicators: false,
  // The whole project is type-checked by `npm test` (tests/unit/typecheck.test.ts); `npm start`
  // on a GPU box should not spend its first minute re-checking server code to build the pages.
  typescript: { ignoreBuildErrors: true },
  // Load a page's server code when it is first asked for, not every page's at start: a homelab
  // server mostly sits idle, and its memory then is what it costs (~20 MiB less RSS here).
  experimental: { preloadEntriesOnStart: false },
};

export default config;
