import { defineConfig } from "drizzle-kit";

// The PostgreSQL dialect (SWITCHYARD_DATABASE_URL). `npm run db:generate` runs this and drizzle.sqlite.config.ts.
export default defineConfig({
  dialect: "postgresql",
  schema: "./server/db/schema/pg/index.ts",
  out: "./drizzle/pg",
});
