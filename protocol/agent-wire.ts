/**
 * The agent <-> server wire protocol: one versioned, zod-validated discriminated union per
 * direction. Agents authenticate before the WebSocket upgrade (headers below; identity in
 * ./agent-identity.ts); everything after the upgrade is JSON text frames of these shapes.
 *
 * Every field a socket sends has a bound (sizes, counts, ranges), and every event's payload is
 * checked against that event's own schema: the server trusts nothing an agent says beyond its size.
 */
import { z } from "zod";
import { DEPLOY_EVENTS, announceSchema, deploymentReportSchema, logEndSchema, logEventSchema } from "./deployments";
import { NODE_NAME_PATTERN } from "./agent-identity";
import { snapshotSchema } from "./telemetry";

export const PROTOCOL_VERSION = 1;

/**
 * Largest frame either side sends. An agent's backlog is sent in batches below it; anything larger
 * closes the socket (ws code 1009). Kept small so that parsing one message never stalls the server.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Most samples in one telemetry message (a backlog flush); the agent also keeps batches under MAX_MESSAGE_BYTES. */
export const MAX_SAMPLES_PER_MESSAGE = 300;

/** Headers the agent sends with the upgrade request to `/ws/agent`. */
export const AGENT_HEADERS = {
  /** "Bearer <credential | join token | enrollment token>"; absent: a probe for the control plane's id. */
  token: "authorization",
  node: "x-switchyard-node",
  protocol: "x-switchyard-protocol",
  agentVersion: "x-switchyard-agent-version",
  /** The control plane the presented credential was issued by (so a server of another one can say so). */
  controlPlane: "x-switchyard-control-plane",
} as const;

const short = (max: number) => z.string().max(max);

/** 1 PiB: more than any host has; a larger CPU budget is a lie. */
export const MAX_CPU_MEMORY_BYTES = 2 ** 50;

export const nodeFactsSchema = z.object({
  hostname: short(255),
  os: short(64),
  arch: short(32),
  cpuModel: short(256).nullable(),
  cpuCores: z.number().int().nonnegative().max(1_000_000).nullable(),
  memTotalBytes: z.number().finite().nonnegative().nullable(),
  /**
   * The memory on-demand deployments with `--gpus none` may use on this node: the agent's
   * SWITCHYARD_CPU_MEMORY; null or absent: the host's available memory, as telemetry reports it.
   * A value out of bounds (a node lying) reads as unknown rather than refusing the agent.
   */
  cpuMemoryBytes: z.number().int().positive().max(MAX_CPU_MEMORY_BYTES).nullable().optional().catch(null),
  /** A demo box (`npm start -- --demo`): its GPUs are replayed captures and it runs no containers. */
  simulated: z.boolean().optional(),
});
export type NodeFacts = z.infer<typeof nodeFactsSchema>;

export const telemetrySampleSchema = z.object({
  /** Milliseconds since the epoch, taken by the agent when the sample was read. */
  ts: z.number().int().positive().max(8.64e15),
  snapshot: snapshotSchema,
});
export type TelemetrySample = z.infer<typeof telemetrySampleSchema>;

const V = z.literal(PROTOCOL_VERSION);

/** Something the agent reports on its own, each event with its own payload schema. */
export const agentEventSchema = z.discriminatedUnion("event", [
  z.object({ type: z.literal("event"), v: V, event: z.literal(DEPLOY_EVENTS.state), payload: deploymentReportSchema }),
  z.object({ type: z.literal("event"), v: V, event: z.literal(DEPLOY_EVENTS.announce), payload: announceSchema }),
  z.object({ type: z.literal("event"), v: V, event: z.literal(DEPLOY_EVENTS.log), payload: logEventSchema }),
  z.object({ type: z.literal("event"), v: V, event: z.literal(DEPLOY_EVENTS.logEnd), payload: logEndSchema }),
]);
export type AgentEvent = z.infer<typeof agentEventSchema>;

/** The message union, with telemetry samples checked by `sample` (the hub checks them one by one, in slices). */
function agentMessages<S extends z.ZodType>(sample: S) {
  return z.discriminatedUnion("type", [
    z.object({
      type: z.literal("hello"),
      v: V,
      agentVersion: short(64),
      node: z.string().regex(NODE_NAME_PATTERN),
      facts: nodeFactsSchema,
    }),
    z.object({
      type: z.literal("telemetry"),
      v: V,
      /** The newest sample last. More than one when the agent flushes its backlog after a reconnect. */
      samples: z.array(sample).min(1).max(MAX_SAMPLES_PER_MESSAGE),
      /**
       * The agent's clock when it sent the message: the server measures the agent's clock skew from
       * it, also for a batch of old samples (a backlog sent in several messages). Absent: from the
       * newest sample, as agents before it.
       */
      sentAt: z.number().int().positive().max(8.64e15).optional(),
    }),
    /**
     * The credential issued with the welcome is saved on the box. Until it says so, the enrollment is
     * provisional: a connection that ends first leaves the name free to enroll again.
     */
    z.object({ type: z.literal("credential-saved"), v: V }),
    z.object({
      type: z.literal("response"),
      v: V,
      id: short(64),
      ok: z.boolean(),
      /** Checked by whoever asked, against the schema of its action. */
      result: z.unknown().optional(),
      error: z.object({ code: short(64), message: short(4000) }).optional(),
    }),
    agentEventSchema,
  ]);
}

export const agentMessageSchema = agentMessages(telemetrySampleSchema);
export type AgentMessage = z.infer<typeof agentMessageSchema>;
/** What the hub parses first: everything but the telemetry samples, which it checks in slices. */
export const agentEnvelopeSchema = agentMessages(z.unknown());

export const serverMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    v: V,
    nodeId: z.string(),
    sampleIntervalMs: z.number().int().positive(),
    /** The control plane this server belongs to: the agent keys its stored credentials by it. */
    controlPlane: z.string().max(80).optional(),
    /** A credential of the node's own, issued when it enrolled with a token on this connection. */
    credential: z.string().max(200).optional(),
  }),
  z.object({
    type: z.literal("request"),
    v: V,
    id: z.string(),
    action: z.string(),
    payload: z.unknown(),
  }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** WebSocket close codes the server uses, so the agent can say why it was dropped. */
export const CLOSE_CODES = {
  protocolMismatch: 4400,
  /** Identity refused after the upgrade (an agent that named itself only in its hello); the reason says why. */
  refused: 4401,
  /** The node's credential was revoked (the node was removed in the dashboard). */
  revoked: 4403,
  replaced: 4409,
  /** A second hello on one socket, or a hello for a node other than the one authenticated. */
  oneNodePerSocket: 4410,
} as const;
