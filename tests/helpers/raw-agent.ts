/**
 * A hand-driven agent socket for tests that play an agent (honest or not) message by message:
 * the upgrade's answer (101, or the refusal's status and JSON reason), every server message, and
 * how the socket closed.
 */
import WebSocket from "ws";
import { AGENT_HEADERS, type ServerMessage } from "../../protocol/agent-wire";
import { DEPLOY_ACTIONS, type DeploySpec } from "../../protocol/deployments";
import type { Snapshot } from "../../protocol/telemetry";
import { snapshot } from "./samples";
import { waitFor } from "./processes";

export const FACTS = { hostname: "test-box", os: "linux", arch: "x64", cpuModel: null, cpuCores: 4, memTotalBytes: 8e9 };

export type ServerRequest = Extract<ServerMessage, { type: "request" }>;

export interface RawAgent {
  ws: WebSocket;
  /** 101 when upgraded, else the refusal's HTTP status. */
  status: number;
  refusal: { code: string; message: string; controlPlane?: string } | null;
  messages: ServerMessage[];
  closed: Promise<{ code: number; reason: string }>;
  isOpen(): boolean;
  send(msg: unknown): void;
  hello(node: string): void;
  telemetry(samples: Array<{ ts: number; snapshot: Snapshot }>): void;
  /** Waits for a server message matching `pred`. */
  next<T extends ServerMessage>(pred: (m: ServerMessage) => m is T, timeoutMs?: number): Promise<T>;
  welcome(timeoutMs?: number): Promise<Extract<ServerMessage, { type: "welcome" }>>;
  /** The first request the server sent (of `action`, when given). */
  request(action?: string, timeoutMs?: number): Promise<ServerRequest & { payload: any }>;
  close(): void;
}

export function dialAgent(url: string, opts: { secret?: string | null; node?: string | null; controlPlane?: string } = {}): Promise<RawAgent> {
  const headers: Record<string, string> = {};
  if (opts.secret) headers[AGENT_HEADERS.token] = `Bearer ${opts.secret}`;
  if (opts.node) headers[AGENT_HEADERS.node] = opts.node;
  if (opts.controlPlane) headers[AGENT_HEADERS.controlPlane] = opts.controlPlane;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, maxPayload: 64 * 1024 * 1024 });
    const messages: ServerMessage[] = [];
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.once("close", (code, reason) => r({ code, reason: reason.toString() })));
    const agent: RawAgent = {
      ws, status: 0, refusal: null, messages, closed,
      isOpen: () => ws.readyState === WebSocket.OPEN,
      send: (msg) => ws.send(typeof msg === "string" ? msg : JSON.stringify(msg)),
      hello: (node) => agent.send({ type: "hello", v: 1, agentVersion: "test", node, facts: FACTS }),
      telemetry: (samples) => agent.send({ type: "telemetry", v: 1, samples }),
      next: (pred, timeoutMs = 10_000) => waitFor("a server message", () => messages.find(pred), timeoutMs, 10) as never,
      welcome: (timeoutMs) => agent.next((m): m is Extract<ServerMessage, { type: "welcome" }> => m.type === "welcome", timeoutMs),
      request: (action, timeoutMs) => agent.next((m): m is ServerRequest => m.type === "request" && (!action || m.action === action), timeoutMs),
      close: () => ws.terminate(),
    };
    ws.on("message", (d) => messages.push(JSON.parse(d.toString()) as ServerMessage));
    ws.once("open", () => resolve({ ...agent, status: 101 }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => {
        let refusal = null;
        try { refusal = (JSON.parse(body) as { error: RawAgent["refusal"] }).error; } catch { /* not JSON */ }
        ws.terminate();
        resolve({ ...agent, status: res.statusCode ?? 0, refusal });
      });
    });
    ws.once("error", (err) => reject(err));
  });
}

/** An agent that enrolled `node` (token → credential, confirmed saved) and said hello: it streams nothing yet. */
export async function enrolledAgent(url: string, node: string, token: string): Promise<{ agent: RawAgent; credential: string; controlPlane: string }> {
  const agent = await dialAgent(url, { secret: token, node });
  if (agent.status !== 101) throw new Error(`enrolling ${node} was refused: ${agent.status} ${JSON.stringify(agent.refusal)}`);
  agent.hello(node);
  const welcome = await agent.welcome();
  if (!welcome.credential || !welcome.controlPlane) throw new Error(`no credential in the welcome for ${node}`);
  agent.send({ type: "credential-saved", v: 1 });
  // The pong comes after the server read the confirmation: closing now cannot undo the enrollment.
  await new Promise((resolve) => {
    agent.ws.once("pong", resolve);
    agent.ws.ping();
  });
  return { agent, credential: welcome.credential, controlPlane: welcome.controlPlane };
}

/** A snapshot of `gpus` GPUs with the given UUIDs and memory used, as a node would report. */
export function gpuSnapshot(uuids: string[], memUsedMiB: number): Snapshot {
  const base = snapshot();
  return { ...base, gpus: uuids.map((uuid, index) => ({ ...base.gpus[0]!, index, uuid, memUsedMiB })), processes: [] };
}

/**
 * Makes `agent` a node that runs what it is asked to: a create is answered with a report of its own
 * (ready on port 18080), anything else with `{from: "honest"}`; actions in `leave` go unanswered.
 */
export function honestDeployer(agent: RawAgent, leave: string[] = []): void {
  agent.ws.on("message", (d) => {
    const m = JSON.parse(d.toString()) as ServerMessage;
    if (m.type !== "request" || leave.includes(m.action)) return;
    const spec = m.payload as DeploySpec;
    const result = m.action === DEPLOY_ACTIONS.create
      ? { id: spec.id, name: spec.name, state: "ready", containerId: "c-honest", port: 18080, seq: 1 }
      : { from: "honest" };
    agent.send({ type: "response", v: 1, id: m.id, ok: true, result });
  });
}
