/**
 * SQLite schema (the embedded default), one file per area. A PostgreSQL dialect would get its
 * own folder with the same table and column names; domain code only sees the repositories.
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
