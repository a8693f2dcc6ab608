/**
 * What the dashboard sees: REST views (`/api/nodes`) and `/ws/live` messages. The dashboard
 * imports only these types (never server code).
 */
import type { DriverInfo, Gpu, GpuProcess, HostStats } from "./telemetry";
import type { NodeFacts } from "./agent-wire";

export interface NodeView {
  id: string;
  name: string;
  online: boolean;
  /** ms since epoch of the newest sample (or of the connection when no sample came yet). */
  lastSeen: number | null;
  agentVersion: string | null;
  facts: NodeFacts | null;
  driver: DriverInfo | null;
  host: HostStats | null;
  gpus: Gpu[];
  processes: GpuProcess[];
  warnings: string[];
}

/** One point of a series; `null` where the value was unavailable. */
export interface GpuPoint {
  ts: number;
  utilGpuPct: number | null;
  memUsedMiB: number | null;
  tempC: number | null;
  powerW: number | null;
}

export interface HostPoint {
  ts: number;
  cpuPct: number | null;
  memUsedBytes: number | null;
}

export const HISTORY_RANGES = ["5m", "15m", "1h", "6h", "24h", "7d", "30d"] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];

export interface NodeHistory {
  node: string;
  range: HistoryRange;
  /** Seconds between stored rows: 1 for ranges within the last hour, 60 beyond. */
  resolutionS: number;
  /**
   * Seconds per bucket when the range had more rows than a chart can draw (at most 1500 points
   * per series): each bucket comes as its low and high point, so spikes survive. Equal to
   * `resolutionS` when the points are the stored rows themselves.
   */
  bucketS: number;
  gpus: Array<{ uuid: string; index: number; name: string; points: GpuPoint[] }>;
  host: HostPoint[];
}

export interface EnrollmentInfo {
  /** The enrollment token (SWITCHYARD_AGENT_TOKEN): enrolls any number of boxes until rotated. */
  agentToken: string;
  /** This server as the browser reached it. */
  serverUrl: string;
  /** `npx switchyard-agent …` with the enrollment token. */
  command: string;
  /** The control plane's id (agents key their stored credentials by it). */
  controlPlane?: string;
  /** The server's non-internal interface addresses, to offer when the browser came in through localhost. */
  lanAddresses?: string[];
  /** `sha256:HEX` of the server's TLS certificate, when it serves HTTPS; agents pin it with --fingerprint. */
  fingerprint?: string | null;
  /** Its public key's pin for curl (`--pinnedpubkey`), for the install one-liner. */
  curlPin?: string | null;
  /** True when SWITCHYARD_AGENT_TOKEN sets the token: it is changed there, not rotated here. */
  tokenFromEnv?: boolean;
}

export type LiveMessage =
  | { type: "snapshot"; nodes: NodeView[] }
  | { type: "node"; node: NodeView; sampleTs: number | null }
  | { type: "removed"; name: string };
