/**
 * The gateway's side of models on demand: before a request goes to a cold on-demand deployment,
 * the load manager loads it (one load for every request that arrives meanwhile) and leases it; a
 * warm one is leased at once, with no await (the hot path). The lease is held until the response
 * ends, streams included. A load that fails is a failed attempt like any other: 503, with a JSON
 * error in the client's protocol that names the cause and the engine's last log lines, and the
 * route moves on to its next target.
 */
import type { ServerResponse } from "node:http";
import type { OnDemandGate, Release } from "../../core/ondemand";
import { LoadError, withLogTail } from "../../core/ondemand/errors";
import type { Backend } from "../backends";
import type { Protocol } from "../protocol/errors";
import { anthropicErrorBody, openAIErrorBody, redactSecrets } from "../protocol/errors";
import { holdOpen } from "./relay";

/**
 * While a stream waits for its model: after `afterMs`, the SSE head and a comment, then one every
 * `afterMs`, so that a reverse proxy between the client and the gateway (nginx reads for 60 s) does
 * not take the silence for a dead backend. Clients skip comments; no event is sent, so a failover
 * can still fill the stream. Loads shorter than `afterMs` (most) keep the plain status semantics.
 */
export function holdOpenWhile(client: ServerResponse, name: string, afterMs: number): { stop(): void } {
  const t0 = Date.now();
  const beat = () => holdOpen(client, `waiting for ${name} to load (${Math.round((Date.now() - t0) / 1000)} s)`);
  let interval: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    beat();
    interval = setInterval(beat, afterMs);
  }, afterMs);
  return {
    stop() {
      clearTimeout(first);
      clearInterval(interval);
    },
  };
}

export type Leased = { release: Release; backend: Backend };
export type NotLeased = { status: 503 | 499; body: Buffer; why: string };

/** The error body for a failed load, in the client's protocol, with the cause and log lines as fields of their own. */
export function loadFailureBody(err: LoadError, protocol: Protocol, secrets: readonly string[]): Buffer {
  const logs = err.logs.slice(-20).map((l) => redactSecrets(l, secrets));
  const message = redactSecrets(withLogTail(err), secrets);
  // Anthropic clients (Claude Code) retry an overloaded_error with backoff; OpenAI's SDKs retry any 503.
  const base = protocol === "anthropic" ? anthropicErrorBody(503, message, "overloaded_error") : openAIErrorBody(503, message, `load_${err.why}`);
  return Buffer.from(JSON.stringify({ ...base, error: { ...base.error, deployment: err.deployment, cause: err.why, logs } }));
}

/** Resolves when the client goes away (the load goes on for the others waiting on it). */
function clientGone(client: ServerResponse): { promise: Promise<"gone">; off(): void } {
  let onClose = () => {};
  const promise = new Promise<"gone">((resolve) => {
    onClose = () => resolve("gone");
    client.once("close", onClose);
  });
  return { promise, off: () => void client.off("close", onClose) };
}

/**
 * Waits for a cold deployment's load and leases it; `fresh` reads the backend again once it is
 * warm (its URL is new with every load). `onWaited` gets how long the request waited.
 */
export async function leaseCold(
  gate: OnDemandGate, name: string, id: string, client: ServerResponse, protocol: Protocol,
  secrets: readonly string[], fresh: (name: string) => Backend | undefined, onWaited: (ms: number) => void,
): Promise<Leased | NotLeased> {
  const t0 = performance.now();
  const gone = clientGone(client);
  const leasing = gate.leaseWhenReady(id);
  try {
    const first = await Promise.race([leasing, gone.promise]);
    if (first === "gone") {
      // The lease, when it comes, is given back at once: nothing will be sent.
      void leasing.then((release) => release(), () => {});
      return { status: 499, body: Buffer.alloc(0), why: "client went away while the model loaded" };
    }
    const warm = fresh(name);
    if (!warm?.url) {
      first();
      return { status: 503, body: Buffer.alloc(0), why: `${name} has no address yet (its node's agent is away)` };
    }
    return { release: first, backend: warm };
  } catch (err) {
    if (!(err instanceof LoadError)) throw err;
    return { status: 503, body: loadFailureBody(err, protocol, secrets), why: `load failed: ${err.message.split("\n")[0]}` };
  } finally {
    gone.off();
    onWaited(Math.round(performance.now() - t0));
  }
}
