/**
 * The PostgreSQL batch insert's statement (server/db/pg-insert-plan.ts), without a database: one
 * text per table whatever the row count (the gateway flushes batches of every size), one array
 * parameter per column. Its values on a real PostgreSQL are in repositories.test.ts.
 */
import { drizzle } from "drizzle-orm/node-postgres";
import { describe, expect, it } from "vitest";
import { pgInsertPlan } from "../../../server/db/pg-insert-plan";
import * as pgSchema from "../../../server/db/schema/pg";

const db = drizzle.mock({ schema: pgSchema });
const row = (ts: number) => ({ ts, endpoint: "/v1/models", attempts: 1, failovers: 0, status: 200, stream: false, durationMs: 3 });

describe("pgInsertPlan", () => {
  it("sends one statement text for any row count, one array per column, the identity column left to the database", () => {
    const plan = pgInsertPlan(db, pgSchema.gatewayRequests);
    const one = plan.statement([row(1)]);
    const many = plan.statement(Array.from({ length: 300 }, (_, i) => row(i)));
    expect(one.text).toBe(
      'insert into "gateway_requests" ("ts", "key_name", "endpoint", "model_asked", "target", "attempts", "failovers", "status", "stream", "ttft_ms", ' +
        '"duration_ms", "input_tokens", "output_tokens", "load_wait_ms", "error", "body") select * from unnest($1::bigint[], $2::text[], $3::text[], ' +
        "$4::text[], $5::text[], $6::integer[], $7::integer[], $8::integer[], $9::boolean[], $10::integer[], $11::integer[], $12::integer[], " +
        "$13::integer[], $14::integer[], $15::text[], $16::text[])",
    );
    expect(many.text).toBe(one.text);
    expect(many.values).toHaveLength(16);
    expect(many.values.every((column) => column.length === 300)).toBe(true);
    expect(many.values[0]!.slice(0, 3)).toEqual([0, 1, 2]);
    expect(many.values[1]!.slice(0, 3)).toEqual([null, null, null]); // left out, no default
  });

  it("takes a column's default where the row leaves it out, and the identity column where every row gives it", () => {
    const keys = pgInsertPlan(db, pgSchema.gatewayKeys).statement([
      { id: "k1", name: "a", hash: "h", prefix: "sk", source: "ui", createdAt: 5 },
      { id: "k2", name: "b", hash: "h2", prefix: "sk", source: "ui", createdAt: 6, requests: 7 },
    ]);
    expect(keys.text).toContain('"requests", "input_tokens"');
    expect(keys.values[9]).toEqual([0, 7]); // requests: .default(0), as drizzle's insert writes it
    const withIds = pgInsertPlan(db, pgSchema.gatewayRequests).statement([{ ...row(1), id: 10 }, { ...row(2), id: 11 }]);
    expect(withIds.text).toMatch(/^insert into "gateway_requests" \("id", "ts", .* from unnest\(\$1::bigint\[\], \$2::bigint\[\], /);
    expect(withIds.values[0]).toEqual([10, 11]);
  });
});
