import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const nodes = sqliteTable("nodes", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  agentVersion: text("agent_version"),
  /** NodeFacts as JSON. */
  facts: text("facts"),
  /** The newest snapshot seen (host, driver, gpus, processes, warnings) as JSON, saved now and then. */
  lastSnapshot: text("last_snapshot"),
  firstSeen: integer("first_seen").notNull(),
  lastSeen: integer("last_seen"),
});

/** Keyed by node and UUID: a UUID is what an agent says it is, so it names a GPU only within its node. */
export const gpus = sqliteTable(
  "gpus",
  {
    uuid: text("uuid").notNull(),
    nodeId: text("node_id").notNull().references(() => nodes.id, { onDelete: "cascade" }),
    index: integer("gpu_index").notNull(),
    name: text("name").notNull(),
    memTotalMiB: real("mem_total_mib"),
    powerLimitW: real("power_limit_w"),
    lastSeen: integer("last_seen").notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.uuid] })],
);

/**
 * GPU time series, one table for every resolution (1 s recent, 60 s long-term), keyed by node and
 * GPU: a node naming another node's GPU UUID writes only into its own series.
 */
export const gpuSamples = sqliteTable(
  "gpu_samples",
  {
    nodeId: text("node_id").notNull(),
    gpuUuid: text("gpu_uuid").notNull(),
    resolutionS: integer("resolution_s").notNull(),
    ts: integer("ts").notNull(),
    utilGpuPct: real("util_gpu_pct"),
    memUsedMiB: real("mem_used_mib"),
    tempC: real("temp_c"),
    powerW: real("power_w"),
  },
  // Retention deletes by (resolution, age) across all GPUs: without this index each prune is a scan.
  (t) => [primaryKey({ columns: [t.nodeId, t.gpuUuid, t.resolutionS, t.ts] }), index("gpu_samples_age_idx").on(t.resolutionS, t.ts)],
);

export const hostSamples = sqliteTable(
  "host_samples",
  {
    nodeId: text("node_id").notNull(),
    resolutionS: integer("resolution_s").notNull(),
    ts: integer("ts").notNull(),
    cpuPct: real("cpu_pct"),
    memUsedBytes: real("mem_used_bytes"),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.resolutionS, t.ts] }), index("host_samples_age_idx").on(t.resolutionS, t.ts)],
);
