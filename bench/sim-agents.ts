/**
 * Simulated agents for benchmarks: in-process WebSocket clients that speak the agent protocol
 * (upgrade, hello, telemetry at 1 Hz) without nvidia-smi or a child process each, so one bench
 * process can stand in for a fleet of 100 boxes. Values move every sample, like GPUs under load.
 */
import WebSocket from "ws";
import { AGENT_HEADERS } from "../protocol/agent-wire";
import type { Snapshot } from "../protocol/telemetry";
import { AGENT_TOKEN } from "../tests/helpers/processes";
import { gpu, snapshot } from "../tests/helpers/samples";

export interface SimFleetOptions {
  count: number;
  gpusPerNode: number;
  /** Node names are `${prefix}-000`, `${prefix}-001`, … */
  prefix?: string;
  token?: string;
  intervalMs?: number;
}

export interface SimFleet {
  names: string[];
  /** Resolves once every agent has been welcomed (its node exists on the server). */
  ready: Promise<void>;
  stop(): void;
}

export const simNodeName = (prefix: string, i: number) => `${prefix}-${String(i).padStart(3, "0")}`;
export const simGpuUuid = (node: string, index: number) => `GPU-${node}-${index}`;

export interface Handshake {
  ws: WebSocket;
  /** The node's own credential when this connection enrolled it with a token; present it next time. */
  credential: string | null;
}

export const SIM_FACTS = (node: string) => ({ hostname: node, os: "linux", arch: "x64", cpuModel: null, cpuCores: 16, memTotalBytes: 64e9 });

/**
 * The agent's side of the handshake, in one place so that a change of how agents prove who they
 * are is made here only: open `/ws/agent` with a secret (the enrollment token on first contact,
 * the node's credential after) and the node's name, say hello, resolve on the server's welcome.
 */
export function agentHandshake(serverUrl: string, node: string, secret: string): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${serverUrl.replace(/^http/, "ws")}/ws/agent`, {
      headers: { [AGENT_HEADERS.token]: `Bearer ${secret}`, [AGENT_HEADERS.node]: node },
    });
    ws.once("open", () => ws.send(JSON.stringify({ type: "hello", v: 1, agentVersion: "bench", node, facts: SIM_FACTS(node) })));
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { type?: string; credential?: string };
      if (msg.type !== "welcome") return;
      ws.off("message", onMessage);
      resolve({ ws, credential: msg.credential ?? null });
    };
    ws.on("message", onMessage);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`agent ${node} refused: HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

/** One sample of a node whose GPUs are busy: every value changes from second to second. */
export function busySnapshot(node: string, gpusPerNode: number): Snapshot {
  const base = snapshot();
  return {
    ...base,
    host: { ...base.host, hostname: node, cpuPct: Math.round(Math.random() * 1000) / 10, memUsedBytes: 2e10 + Math.random() * 1e10, memTotalBytes: 64e9 },
    gpus: Array.from({ length: gpusPerNode }, (_, i) => gpu(i, {
      uuid: simGpuUuid(node, i),
      utilGpuPct: Math.round(Math.random() * 100),
      memUsedMiB: 1000 + Math.round(Math.random() * 20000),
      tempC: 40 + Math.round(Math.random() * 40),
      powerW: Math.round(100 + Math.random() * 250),
    })),
    processes: [{ gpuUuid: simGpuUuid(node, 0), pid: 4242, name: "python3 -m vllm.entrypoints.openai.api_server", usedMiB: 900 }],
  };
}

export function simulatedAgents(serverUrl: string, opts: SimFleetOptions): SimFleet {
  const { count, gpusPerNode, prefix = "sim", token = AGENT_TOKEN, intervalMs = 1000 } = opts;
  const names = Array.from({ length: count }, (_, i) => simNodeName(prefix, i));
  const sockets = new Set<WebSocket>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  // Like a real agent, a simulated one dials again when its socket closes (the server cut a node
  // whose samples stalled while this process was busy, say).
  const secrets = new Map<string, string>();
  const connect = async (name: string): Promise<WebSocket> => {
    const { ws, credential } = await agentHandshake(serverUrl, name, secrets.get(name) ?? token);
    if (credential) secrets.set(name, credential);
    sockets.add(ws);
    ws.on("error", () => {});
    ws.once("close", () => {
      sockets.delete(ws);
      if (!stopped) setTimeout(() => void connect(name).then((next) => (live[names.indexOf(name)] = next)).catch(() => {}), 500);
    });
    return ws;
  };
  const live: WebSocket[] = [];

  const start = async (name: string, i: number) => {
    live[i] = await connect(name);
    if (stopped) return live[i]!.terminate();
    const tick = () => {
      const ws = live[i];
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ type: "telemetry", v: 1, samples: [{ ts: Date.now(), snapshot: busySnapshot(name, gpusPerNode) }] }));
    };
    tick();
    // Spread the agents over the interval, as real clocks would be.
    timers.push(setTimeout(() => {
      timers.push(setInterval(tick, intervalMs));
    }, (i * intervalMs) / count));
  };

  const ready = Promise.all(names.map(start)).then(() => undefined);
  ready.catch(() => {});
  return {
    names,
    ready,
    stop: () => {
      stopped = true;
      timers.forEach((t) => clearTimeout(t));
      sockets.forEach((s) => s.terminate());
    },
  };
}
