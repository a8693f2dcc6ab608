/**
 * The agent <-> server wire protocol: one versioned, zod-validated discriminated union per
 * direction. Agents authenticate before the WebSocket upgrade (headers below); everything after the
 * upgrade is JSON text frames of these shapes.
 */
import { z } from "zod";
import { snapshotSchema } from "./telemetry";

export const PROTOCOL_VERSION = 1;

/** Headers the agent sends with the upgrade request to `/ws/agent`. */
export const AGENT_HEADERS = {
  token: "authorization", // "Bearer <enrollment token>"
  node: "x-switchyard-node",
  protocol: "x-switchyard-protocol",
  agentVersion: "x-switchyard-agent-version",
} as const;

export const nodeFactsSchema = z.object({
  hostname: z.string(),
  os: z.string(),
  arch: z.string(),
  cpuModel: z.string().nullable(),
  cpuCores: z.number().int().nullable(),
  memTotalBytes: z.number().nullable(),
  /** A demo box (`npm start -- --demo`): its GPUs are replayed captures and it runs no containers. */
  simulated: z.boolean().optional(),
});
export type NodeFacts = z.infer<typeof nodeFactsSchema>;

export const telemetrySampleSchema = z.object({
  /** Milliseconds since the epoch, taken by the agent when the sample was read. */
  ts: z.number().int().positive(),
  snapshot: snapshotSchema,
});
export type TelemetrySample = z.infer<typeof telemetrySampleSchema>;

export const agentMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    v: z.literal(PROTOCOL_VERSION),
    agentVersion: z.string(),
    node: z.string().min(1).max(128),
    facts: nodeFactsSchema,
  }),
  z.object({
    type: z.literal("telemetry"),
    v: z.literal(PROTOCOL_VERSION),
    /** The newest sample last. More than one when the agent flushes its backlog after a reconnect. */
    samples: z.array(telemetrySampleSchema).min(1).max(600),
  }),
  z.object({
    type: z.literal("response"),
    v: z.literal(PROTOCOL_VERSION),
    id: z.string(),
    ok: z.boolean(),
    result: z.unknown().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  z.object({
    /** Something the agent reports on its own (a deployment changed state, log lines). */
    type: z.literal("event"),
    v: z.literal(PROTOCOL_VERSION),
    event: z.string().min(1).max(64),
    payload: z.unknown(),
  }),
]);
export type AgentMessage = z.infer<typeof agentMessageSchema>;

export const serverMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    v: z.literal(PROTOCOL_VERSION),
    nodeId: z.string(),
    sampleIntervalMs: z.number().int().positive(),
  }),
  z.object({
    type: z.literal("request"),
    v: z.literal(PROTOCOL_VERSION),
    id: z.string(),
    action: z.string(),
    payload: z.unknown(),
  }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** WebSocket close codes the server uses, so the agent can say why it was dropped. */
export const CLOSE_CODES = {
  protocolMismatch: 4400,
  replaced: 4409,
} as const;
