/**
 * PostgreSQL schema: the same tables, columns and exported names as the SQLite schema in ../ (the
 * repositories use either through DbHandle.schema). Types: integer millisecond timestamps, byte
 * sizes and counters are bigint (as numbers), real is double precision, 0/1 flags are boolean,
 * JSON stays text. docs/adr/0001-two-dialects.md has the rules.
 */
export * from "./telemetry";
export * from "./deployments";
export * from "./gateway";
export * from "./fit";
export * from "./alerts";
export * from "./identity";
export * from "./sessions";
export * from "./benchmarks";
export * from "./cluster";
