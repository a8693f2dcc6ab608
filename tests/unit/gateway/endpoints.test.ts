/**
 * The contract's other OpenAI endpoints, in process: `POST /v1/completions` and `POST /v1/embeddings`
 * reach the route's target at the same path with the model rewritten, and answer the backend's body;
 * the key works as `x-api-key` as well as `Authorization: Bearer`.
 */
import http from "node:http";
import type net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openMemoryDatabase } from "../../../server/db/client";
import { gatewayRepo } from "../../../server/db/repos/gateway-repo";
import { parseConfigText } from "../../../server/gateway/config/load";
import { Gateway } from "../../../server/gateway/gateway";
import { createGatewayHandler } from "../../../server/gateway/http";
import { json, scriptedUpstream, withHealth } from "../../helpers/gateway";

const KEY = "sk-endpoints-test-1";
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function start() {
  const upstream = await scriptedUpstream(withHealth((req, res) => {
    const model = (JSON.parse(req.body) as { model: string }).model;
    if (req.url === "/v1/completions") json(res, 200, { id: "cmpl-1", object: "text_completion", model, choices: [{ index: 0, text: " Pong", finish_reason: "stop" }] });
    else if (req.url === "/v1/embeddings") json(res, 200, { object: "list", model, data: [{ object: "embedding", index: 0, embedding: [0.25, -0.5] }] });
    else json(res, 404, { error: { message: `unexpected ${req.url}` } });
  }));
  closers.push(() => upstream.close());
  const config = `
apiKeys:
  - {name: laptop, key: ${KEY}}
backends:
  - {name: box1, url: "${upstream.url}", api: openai}
routes:
  - {model: text, targets: [box1/qwen-base]}
  - {model: embed, targets: [box1/bge-small]}
`;
  const gw = new Gateway({ config: parseConfigText(config), repo: gatewayRepo(openMemoryDatabase()), isAdminToken: () => false, deployments: { listRoutableBackends: () => [] } });
  await gw.start();
  const server = http.createServer(createGatewayHandler(gw));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  closers.push(() => gw.stop(), () => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const post = (path: string, body: unknown, auth: Record<string, string>) =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify(body) });
  return { upstream, post };
}

describe("gateway endpoints besides chat and messages", () => {
  it("POST /v1/completions goes to the target's /v1/completions as its model (key as x-api-key)", async () => {
    const { upstream, post } = await start();
    const res = await post("/v1/completions", { model: "text", prompt: "Ping", max_tokens: 4 }, { "x-api-key": KEY });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: "text_completion", choices: [{ text: " Pong" }] });
    const calls = upstream.calls();
    expect(calls.map((c) => c.url)).toEqual(["/v1/completions"]);
    expect(JSON.parse(calls[0]!.body)).toMatchObject({ model: "qwen-base", prompt: "Ping", max_tokens: 4 });
  });

  it("POST /v1/embeddings goes to the target's /v1/embeddings as its model (key as Bearer)", async () => {
    const { upstream, post } = await start();
    const res = await post("/v1/embeddings", { model: "embed", input: ["hello"] }, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: "list", data: [{ embedding: [0.25, -0.5] }] });
    const calls = upstream.calls();
    expect(calls.map((c) => c.url)).toEqual(["/v1/embeddings"]);
    expect(JSON.parse(calls[0]!.body)).toEqual({ model: "bge-small", input: ["hello"] });
  });

  it("refuses both without a key", async () => {
    const { upstream, post } = await start();
    for (const path of ["/v1/completions", "/v1/embeddings"]) {
      const res = await post(path, { model: "text", prompt: "x" }, {});
      expect(res.status, path).toBe(401);
    }
    expect(upstream.calls()).toEqual([]);
  });
});
