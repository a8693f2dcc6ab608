/**
 * Several real server processes on one PostgreSQL database (one control plane): started with the
 * same admin token, agent token, secret key and config, as an operator would. Each is asked what
 * it knows through its own API (`/api/stats` says who leads and how its bus is doing).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import type { LiveMessage, NodeView } from "../../protocol/live";
import { ADMIN_TOKEN, startServer, type TestServer } from "./processes";

export interface ClusterStatsView {
  serverId: string;
  leader: boolean;
  bus: { up: boolean; refused: number; received: number; published: number; reconnects: number };
  relay: { pending: number; streamsIn: number; streamsOut: number; dropped: number };
}

/** The secret key every server of this test process's control planes shares (SWITCHYARD_SECRET_KEY). */
export const CLUSTER_SECRET_KEY = randomBytes(32).toString("hex");

/** Starts one server of the control plane on `databaseUrl` (same tokens and secret key as its peers). */
export function clusterServer(databaseUrl: string, opts: { configYaml?: string; env?: Record<string, string>; port?: number; dataDir?: string } = {}): Promise<TestServer> {
  const env: Record<string, string> = { SWITCHYARD_DATABASE_URL: databaseUrl, SWITCHYARD_SECRET_KEY: CLUSTER_SECRET_KEY, ...opts.env };
  if (opts.configYaml) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-cluster-config-")), "switchyard.yaml");
    fs.writeFileSync(file, opts.configYaml);
    env.SWITCHYARD_CONFIG = file;
  }
  return startServer({ env, port: opts.port, dataDir: opts.dataDir });
}

export async function clusterStats(server: TestServer): Promise<ClusterStatsView> {
  const stats = (await (await server.api("/api/stats")).json()) as { cluster: ClusterStatsView | null };
  if (!stats.cluster) throw new Error(`${server.url} is not one of several servers (no cluster in /api/stats)`);
  return stats.cluster;
}

export async function nodeOn(server: TestServer, name: string): Promise<NodeView | undefined> {
  const res = await server.api("/api/nodes");
  if (!res.ok) return undefined;
  return ((await res.json()) as NodeView[]).find((n) => n.name === name);
}

/** A dashboard's live socket on one server, signed in with the admin token; keeps every message. */
export async function liveView(server: TestServer): Promise<{ messages: LiveMessage[]; close(): void }> {
  const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/ws/live`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const messages: LiveMessage[] = [];
  ws.on("message", (d) => messages.push(JSON.parse(d.toString()) as LiveMessage));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { messages, close: () => ws.terminate() };
}
