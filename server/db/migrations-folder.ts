import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Dialect } from "./handle";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The committed migrations of one dialect: drizzle/sqlite or drizzle/pg (`npm run db:generate`). */
export function migrationsFolder(dialect: Dialect): string {
  return path.join(root, "drizzle", dialect === "sqlite" ? "sqlite" : "pg");
}
