import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Integration and browser tests start real servers, agents and Chromium: on a 2-core machine
    // they are steadier one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The run's throwaway PostgreSQL cluster (started by the first test that needs it).
    globalSetup: ["tests/helpers/postgres-global-setup.ts"],
    env: { LOG_LEVEL: "warn", NEXT_TELEMETRY_DISABLED: "1" },
  },
});
