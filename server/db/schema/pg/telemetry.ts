import { bigint, doublePrecision, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

// PostgreSQL twin of ../telemetry.ts: same tables and columns (tests/unit/db/schema-parity.test.ts).

export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const nodes = pgTable("nodes", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  agentVersion: text("agent_version"),
  facts: text("facts"),
  lastSnapshot: text("last_snapshot"),
  firstSeen: bigint("first_seen", { mode: "number" }).notNull(),
  lastSeen: bigint("last_seen", { mode: "number" }),
});

export const gpus = pgTable(
  "gpus",
  {
    uuid: text("uuid").notNull(),
    nodeId: text("node_id").notNull().references(() => nodes.id, { onDelete: "cascade" }),
    index: integer("gpu_index").notNull(),
    name: text("name").notNull(),
    memTotalMiB: doublePrecision("mem_total_mib"),
    powerLimitW: doublePrecision("power_limit_w"),
    lastSeen: bigint("last_seen", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.uuid] })],
);

export const gpuSamples = pgTable(
  "gpu_samples",
  {
    nodeId: text("node_id").notNull(),
    gpuUuid: text("gpu_uuid").notNull(),
    resolutionS: integer("resolution_s").notNull(),
    ts: bigint("ts", { mode: "number" }).notNull(),
    utilGpuPct: doublePrecision("util_gpu_pct"),
    memUsedMiB: doublePrecision("mem_used_mib"),
    tempC: doublePrecision("temp_c"),
    powerW: doublePrecision("power_w"),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.gpuUuid, t.resolutionS, t.ts] }), index("gpu_samples_age_idx").on(t.resolutionS, t.ts)],
);

export const hostSamples = pgTable(
  "host_samples",
  {
    nodeId: text("node_id").notNull(),
    resolutionS: integer("resolution_s").notNull(),
    ts: bigint("ts", { mode: "number" }).notNull(),
    cpuPct: doublePrecision("cpu_pct"),
    memUsedBytes: doublePrecision("mem_used_bytes"),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.resolutionS, t.ts] }), index("host_samples_age_idx").on(t.resolutionS, t.ts)],
);
