import { defineConfig } from "drizzle-kit";

// The embedded SQLite dialect. `npm run db:generate` runs this and drizzle.pg.config.ts.
export default defineConfig({
  dialect: "sqlite",
  schema: "./server/db/schema/index.ts",
  out: "./drizzle/sqlite",
});
