/**
 * Benchmarks on a server that serves HTTPS with a certificate of its own (self-signed): the server
 * sends its benchmark requests to its own gateway over TLS, pinned to that certificate. Before the
 * pin, every request failed ("self-signed certificate") and the benchmark reported nothing but
 * failures. The backend is a scripted stand-in streaming an OpenAI answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchmarkView } from "../../protocol/benchmarks";
import type { RequestLogEntry } from "../../protocol/gateway";
import { openAIStream, scriptedUpstream, sse, startGateway, withHealth, type GatewayServer, type Scripted } from "../helpers/gateway";
import { waitFor } from "../helpers/processes";

let upstream: Scripted;
let gw: GatewayServer;

beforeAll(async () => {
  upstream = await scriptedUpstream(withHealth((_req, res) => sse(res, openAIStream("m", ["one", " two", " three"]), 1)));
  gw = await startGateway(`apiKeys: []
backends:
  - {name: box1, url: "${upstream.url}", api: openai, kind: llamacpp}
routes:
  - {model: chat, targets: [box1/served-model]}
`, { env: { SWITCHYARD_TLS: "self-signed" } });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

describe("benchmarks over HTTPS", () => {
  it("reach the server's own gateway through its pinned certificate", async () => {
    expect(gw.url).toMatch(/^https:/);
    const res = await gw.api("/api/benchmarks", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "chat", concurrency: [1, 2], requests: 3, maxTokens: 8 }) });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as BenchmarkView;
    const view = await waitFor("the benchmark's end", async () => {
      const v = (await (await gw.api(`/api/benchmarks/${id}`)).json()) as BenchmarkView;
      return v.state === "running" ? null : v;
    }, 60_000);
    expect(view.state, view.error ?? "").toBe("done");
    expect(view.runs.map((r) => [r.concurrency, r.requests, r.failed, r.errors])).toEqual([[1, 3, 0, []], [2, 3, 0, []]]);
    expect(view.runs.every((r) => r.backends.box1 === 3)).toBe(true);
    const log = (await (await gw.api("/api/gateway/requests?limit=20")).json()) as RequestLogEntry[];
    const names = log.filter((r) => r.modelAsked === "chat").map((r) => r.keyName);
    expect(names.length).toBeGreaterThanOrEqual(6); // a first request checks the model answers, then 3 per level
    expect(names.every((n) => n === "benchmark")).toBe(true);
  }, 90_000);
});
