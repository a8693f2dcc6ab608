/**
 * The gateway against scripted upstreams (node HTTP servers in this test), driven by the official
 * SDKs: failover on 529/429/500, refused connections and a backend that hangs after accepting;
 * a death mid-stream that is reported, not duplicated; tool-call JSON split across chunks in both
 * directions; auth, errors in each client's protocol, header forwarding and secret hygiene.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_KEY, anthropicMessage, json, openAICompletion, openAIStream, scriptedUpstream, sse, startGateway, withHealth, type GatewayServer, type Scripted } from "../helpers/gateway";
import { freePort } from "../helpers/processes";

const CLOUD_KEY = "sk-ant-api03-cloud-secret-key-0001";
type Name = "ok1" | "s529" | "s429" | "s500" | "e503" | "e500" | "hang" | "mid" | "toolsoa" | "toolsan" | "cloud" | "huge";
const up = {} as Record<Name, Scripted>;
let gw: GatewayServer;
let openai: OpenAI;
let anthropic: Anthropic;
let hanging = false;
/** Connections of the `huge` upstream that closed (kept alive otherwise: it is the gateway letting go). */
let hugeClosed = 0;

const overloaded = { type: "error", error: { type: "overloaded_error", message: "Overloaded" } };

function anthropicEvents(events: Array<[string, unknown]>): string[] {
  return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

beforeAll(async () => {
  const ok = (name: string) => withHealth((req, res) => {
    const body = JSON.parse(req.body || "{}") as { model?: string; stream?: boolean };
    if (body.stream) return sse(res, openAIStream(body.model ?? "", [`from-${name}`]));
    json(res, 200, openAICompletion(body.model ?? "", `from-${name}`));
  });
  up.ok1 = await scriptedUpstream(ok("ok1"));
  up.s529 = await scriptedUpstream(withHealth((_r, res) => json(res, 529, overloaded)));
  up.s429 = await scriptedUpstream(withHealth((_r, res) => json(res, 429, { error: { message: "Rate limit reached", type: "rate_limit_error" } }, { "retry-after": "30" })));
  up.s500 = await scriptedUpstream(withHealth((_r, res) => json(res, 500, { error: { message: "boom", type: "server_error" } })));
  up.e503 = await scriptedUpstream(withHealth((_r, res) => json(res, 503, { error: { code: 503, message: "Loading model" } })));
  up.e500 = await scriptedUpstream(withHealth((_r, res) => void res.writeHead(500, { "content-type": "application/json" }).end('{"error":{"message":"exact upstream bytes","type":"server_error"}}')));
  up.hang = await scriptedUpstream((req, res) => {
    if (hanging) return; // accepts, reads the request, never answers (health checks included)
    if (req.url === "/health") return json(res, 200, { status: "ok" });
    json(res, 200, openAICompletion("x", "from-hang"));
  });
  up.mid = await scriptedUpstream(withHealth(async (req, res) => {
    const model = (JSON.parse(req.body) as { model: string }).model;
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const piece of openAIStream(model, ["partial", " answer"]).slice(0, 2)) {
      res.write(piece);
      await new Promise((r) => setTimeout(r, 20));
    }
    res.socket?.destroy(); // the backend dies mid-stream
  }));
  // An OpenAI-speaking engine that streams one tool call with its arguments cut mid-token.
  up.toolsoa = await scriptedUpstream(withHealth((req, res) => {
    const model = (JSON.parse(req.body) as { model: string }).model;
    const c = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const args = '{"file_path": "/etc/hosts", "limit": 20}';
    const call = (i: number, extra: object) => c({ tool_calls: [{ index: 0, ...extra, function: { arguments: args.slice(i, i + 7) } }] });
    const pieces = [c({ role: "assistant", content: "" }), c({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "Read", arguments: "" } }] })];
    for (let i = 0; i < args.length; i += 7) pieces.push(call(i, {}));
    pieces.push(c({}, "tool_calls"), "data: [DONE]\n\n");
    // Split the byte stream itself mid-event too.
    const bytes = pieces.join("");
    const cut: string[] = [];
    for (let i = 0; i < bytes.length; i += 45) cut.push(bytes.slice(i, i + 45));
    return sse(res, cut, 2);
  }));
  // An Anthropic backend streaming input_json_delta pieces.
  up.toolsan = await scriptedUpstream(withHealth((req, res) => {
    const model = (JSON.parse(req.body) as { model: string }).model;
    const args = '{"city": "Zürich", "units": "metric"}';
    const deltas: Array<[string, unknown]> = [];
    for (let i = 0; i < args.length; i += 5) deltas.push(["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: args.slice(i, i + 5) } }]);
    return sse(res, anthropicEvents([
      ["message_start", { type: "message_start", message: { id: "msg_t", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 20, output_tokens: 1 } } }],
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_1", name: "weather", input: {} } }],
      ...deltas,
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["message_delta", { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 12 } }],
      ["message_stop", { type: "message_stop" }],
    ]), 2);
  }));
  // Bodies over the gateway's 8 MiB hold limit: errors, HTTP 400 (the request's fault) and 500
  // (retryable), and an answer that an Anthropic client would need translated.
  up.huge = await scriptedUpstream(withHealth((req, res) => {
    res.socket?.once("close", () => hugeClosed++);
    const model = (JSON.parse(req.body) as { model: string }).model;
    if (model === "long") return json(res, 200, openAICompletion(model, "y".repeat(9 * 1024 * 1024)));
    const status = model === "bad" ? 400 : 500;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(`{"error":{"message":"${"x".repeat(9 * 1024 * 1024)}"}}`);
  }));
  // A "cloud" Anthropic API: checks what it is sent.
  up.cloud = await scriptedUpstream((req, res) => {
    if (req.url.startsWith("/v1/models")) return json(res, 200, { data: [] });
    if (req.headers["x-api-key"] !== CLOUD_KEY) return json(res, 401, { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
    if (req.url.startsWith("/v1/messages/count_tokens")) return json(res, 200, { input_tokens: 4242 });
    const body = JSON.parse(req.body) as { model: string; max_tokens: number };
    if (body.max_tokens === 666) return json(res, 400, { type: "error", error: { type: "invalid_request_error", message: `bad key ${CLOUD_KEY} rejected` } });
    json(res, 200, anthropicMessage(body.model, `cloud saw beta=${req.headers["anthropic-beta"] ?? "-"} version=${req.headers["anthropic-version"]}`));
  });
  const refusedPort = await freePort();

  const b = (name: string, url: string, api = "openai", extra = "") => `  - name: ${name}\n    url: ${url}\n    api: ${api}\n${extra}`;
  const config = `apiKeys:
  - name: tester
    key: ${GATEWAY_KEY}
  - name: limited
    key: sk-test-limited-key-2
    models: [r529]
backends:
${b("ok1", up.ok1.url)}${b("s529", up.s529.url)}${b("s429", up.s429.url)}${b("s500", up.s500.url)}${b("e503", up.e503.url)}${b("e500", up.e500.url)}${b("hang", up.hang.url)}${b("mid", up.mid.url)}${b("toolsoa", up.toolsoa.url)}${b("toolsan", up.toolsan.url, "anthropic")}${b("cloud", up.cloud.url, "anthropic", `    apiKey: \${CLOUD_KEY}\n    kind: cloud\n`)}${b("refused", `http://127.0.0.1:${refusedPort}`)}${b("huge", up.huge.url)}
routes:
  - {model: r529, targets: [s529/x, ok1/m529]}
  - {model: r429, targets: [s429/x, ok1/m429]}
  - {model: r500, targets: [s500/x, ok1/m500]}
  - {model: rhang, targets: [hang/x, ok1/mhang]}
  - {model: rrefused, targets: [refused/x, ok1/mrefused]}
  - {model: rmid, targets: [mid/x, ok1/mmid]}
  - {model: rall, targets: [e503/x, e500/x]}
  - {model: tools-oa, targets: [toolsoa/qwen]}
  - {model: tools-an, targets: [toolsan/claude-x]}
  - {model: claude-cloud, targets: [cloud/claude-sonnet-4-5]}
  - {model: balanced, targets: [[ok1/b, mid/b]]}
  - {model: huge400, targets: [huge/bad]}
  - {model: huge500, targets: [huge/worse]}
  - {model: huge200, targets: [huge/long]}
`;
  gw = await startGateway(config, { env: { CLOUD_KEY } });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await Promise.all(Object.values(up).map((u) => u.close()));
});

const chat = (model: string) => openai.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 8 });

describe("failover before the first byte", () => {
  for (const [model, failing] of [["r529", "s529"], ["r429", "s429"], ["r500", "s500"], ["rrefused", null]] as const) {
    it(`${model}: moves on to the next target`, async () => {
      const before = up.ok1.calls().length;
      const r = await chat(model);
      expect(r.choices[0]!.message.content).toBe("from-ok1");
      expect(up.ok1.calls().length).toBe(before + 1);
      expect(JSON.parse(up.ok1.calls().at(-1)!.body).model).toBe(`m${model.slice(1)}`);
      if (failing) expect(up[failing].calls().length).toBeGreaterThanOrEqual(1);
    });
  }

  it("after a 529 the breaker skips the overloaded target for a while", async () => {
    const before = up.s529.calls().length;
    for (let i = 0; i < 3; i++) expect((await chat("r529")).choices[0]!.message.content).toBe("from-ok1");
    expect(up.s529.calls().length).toBe(before);
  });

  it("a backend that accepts but stops answering is left within 5 s", async () => {
    hanging = true;
    try {
      const t0 = Date.now();
      const r = await chat("rhang");
      expect(r.choices[0]!.message.content).toBe("from-ok1");
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(up.hang.calls().length).toBeGreaterThanOrEqual(1);
    } finally {
      hanging = false;
    }
  });

  it("when every target fails, the last upstream error body reaches the client untouched", async () => {
    const res = await gw.gw("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "rall", messages: [{ role: "user", content: "x" }] }) });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('{"error":{"message":"exact upstream bytes","type":"server_error"}}');
  });
});

// Such a body used to be cut at 8 MiB and sent with a content-length as if whole, while the
// upstream response stayed paused for good (its socket never freed).
describe("error bodies too large to hold", () => {
  for (const [model, status] of [["huge400", 400], ["huge500", 500]] as const) {
    it(`HTTP ${status}: the client gets a whole error saying so, and the upstream connection is let go`, async () => {
      const closed = hugeClosed;
      const res = await gw.gw("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model, messages: [{ role: "user", content: "x" }] }) });
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/error body over 8 MiB/);
      await expect.poll(() => hugeClosed, { timeout: 5000 }).toBe(closed + 1);
    });
  }
});

// Such an answer used to go through the stream translator: the client asked for a message and got
// a 200 event stream (a message_start, no text).
describe("an answer too large to translate", () => {
  it("an Anthropic client gets a 502 in its own protocol that says to stream, and the upstream connection is let go", async () => {
    const closed = hugeClosed;
    const err = await anthropic.messages.create({ model: "huge200", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
    expect((err as Error).message).toMatch(/over 8 MiB, too large to translate.*stream: true/);
    await expect.poll(() => hugeClosed, { timeout: 5000 }).toBe(closed + 1);
  });
});

describe("streams", () => {
  it("a backend dying mid-stream ends the stream with an error event, never a second answer", async () => {
    const before = up.ok1.calls().length;
    const stream = await openai.chat.completions.create({ model: "rmid", messages: [{ role: "user", content: "hi" }], stream: true });
    let text = "";
    await expect((async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    })()).rejects.toThrow(/mid-stream/);
    expect(text).toBe("partial");
    expect(up.ok1.calls().length).toBe(before);
  });

  it("tool-call arguments split across chunks arrive whole (OpenAI engine → Anthropic client)", async () => {
    const stream = anthropic.messages.stream({ model: "tools-oa", max_tokens: 100, messages: [{ role: "user", content: "read it" }], tools: [{ name: "Read", input_schema: { type: "object", properties: { file_path: { type: "string" } } } }] });
    const msg = await stream.finalMessage();
    expect(msg.stop_reason).toBe("tool_use");
    const tool = msg.content.find((b) => b.type === "tool_use");
    expect(tool).toMatchObject({ type: "tool_use", name: "Read", input: { file_path: "/etc/hosts", limit: 20 } });
  });

  it("tool-call arguments split across chunks arrive whole (Anthropic backend → OpenAI client)", async () => {
    const stream = await openai.chat.completions.create({ model: "tools-an", messages: [{ role: "user", content: "weather?" }], stream: true, stream_options: { include_usage: true }, tools: [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }] });
    let args = "";
    let name = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta?.tool_calls?.[0];
      if (call?.function?.name) name = call.function.name;
      args += call?.function?.arguments ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(name).toBe("weather");
    expect(JSON.parse(args)).toEqual({ city: "Zürich", units: "metric" });
    expect(finish).toBe("tool_calls");
    expect(usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 12 });
  });
});

describe("cloud backend (Anthropic protocol, pass-through)", () => {
  it("gets its own key, the client's anthropic-beta and version; the client's key stays here", async () => {
    const msg = await anthropic.messages.create({ model: "claude-cloud", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }, { headers: { "anthropic-beta": "interleaved-thinking-2025-05-14" } });
    // anthropic-version is the SDK's own, passed on verbatim.
    expect(msg.content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/^cloud saw beta=interleaved-thinking-2025-05-14 version=\d{4}-\d{2}-\d{2}$/) });
    const seen = up.cloud.calls().at(-1)!;
    expect(seen.url).toBe("/v1/messages");
    expect(JSON.parse(seen.body).model).toBe("claude-sonnet-4-5");
    expect(JSON.stringify(seen.headers)).not.toContain(GATEWAY_KEY);
  });

  it("matches the path: /v1/messages?beta=true works and the query goes along", async () => {
    const res = await gw.gw("/v1/messages?beta=true", { method: "POST", key: null, headers: { "x-api-key": GATEWAY_KEY, "anthropic-version": "2023-06-01" }, body: JSON.stringify({ model: "claude-cloud", max_tokens: 5, messages: [{ role: "user", content: "x" }] }) });
    expect(res.status).toBe(200);
    expect(up.cloud.calls().at(-1)!.url).toBe("/v1/messages?beta=true");
  });

  it("an upstream error that quotes the backend's key reaches the client with the key masked", async () => {
    const err = await anthropic.messages.create({ model: "claude-cloud", max_tokens: 666, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(JSON.stringify((err as InstanceType<typeof Anthropic.BadRequestError>).error)).not.toContain(CLOUD_KEY);
    expect(gw.proc.text()).not.toContain(CLOUD_KEY);
  });

  it("count_tokens comes from the backend when it has one, else the estimate", async () => {
    expect((await anthropic.messages.countTokens({ model: "claude-cloud", messages: [{ role: "user", content: "hello" }] })).input_tokens).toBe(4242);
    const est = await anthropic.messages.countTokens({ model: "r500", messages: [{ role: "user", content: "hello there, how are you today?" }] });
    expect(est.input_tokens).toBeGreaterThan(3);
    expect(est.input_tokens).toBeLessThan(40);
  });
});

describe("auth and errors in the client's protocol", () => {
  it("an unknown model is a 404 naming the known ones, in each SDK's error type", async () => {
    const e1 = await chat("no-such-model").catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(OpenAI.NotFoundError);
    expect((e1 as Error).message).toMatch(/no-such-model is not routed.*r529/);
    const e2 = await anthropic.messages.create({ model: "no-such-model", max_tokens: 5, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(Anthropic.NotFoundError);
    expect((e2 as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  it("no key or a wrong key is a 401; a key limited to some models gets 403 for others", async () => {
    const none = await gw.gw("/v1/chat/completions", { method: "POST", key: null, body: "{}" });
    expect(none.status).toBe(401);
    expect((await none.json()).error.message).toMatch(/API key is required/);
    await expect(new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "sk-wrong", maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const limited = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "sk-test-limited-key-2", maxRetries: 0 });
    await expect(limited.chat.completions.create({ model: "r500", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((await limited.models.list()).data.map((m) => m.id)).toEqual(["r529"]);
  });

  it("a malformed body is a 400 naming the field (translated path), in Anthropic's shape", async () => {
    const res = await gw.gw("/v1/messages", { method: "POST", body: JSON.stringify({ model: "tools-oa", max_tokens: 5, messages: "nope" }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("messages") } });
  });

  it("GET /v1/models lists the routes for both SDKs", async () => {
    const ids = (await openai.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["r529", "claude-cloud", "tools-an"]));
    const page = await anthropic.models.list();
    expect(page.data.map((m) => m.id)).toEqual(ids);
  });

  it("HEAD / answers 200 (Claude Code's start-up probe)", async () => {
    expect((await fetch(gw.url, { method: "HEAD" })).status).toBe(200);
  });
});

describe("dashboard REST and observability", () => {
  it("routes made in the dashboard route; config routes are read-only", async () => {
    const made = await gw.api("/api/gateway/routes", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "from-ui", targets: ["ok1/ui-model"] }) });
    expect(made.status).toBe(201);
    expect((await chat("from-ui")).choices[0]!.message.content).toBe("from-ok1");
    expect(JSON.parse(up.ok1.calls().at(-1)!.body).model).toBe("ui-model");
    const clash = await gw.api("/api/gateway/routes", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "r529", targets: ["ok1/x"] }) });
    expect(clash.status).toBe(409);
    const typo = await gw.api("/api/gateway/routes", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "t", targets: ["nobody/x"] }) });
    expect(typo.status).toBe(400);
    expect((await typo.json()).error.message).toMatch(/no backend named nobody/);
    expect((await gw.api("/api/gateway/routes/from-ui", { method: "DELETE" })).status).toBe(204);
    await expect(chat("from-ui")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("keys made in the dashboard work at once, count usage, and stop when revoked", async () => {
    const res = await gw.api("/api/gateway/keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "ui-key" }) });
    expect(res.status).toBe(201);
    const { key, record } = (await res.json()) as { key: string; record: { id: string } };
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
    await client.chat.completions.create({ model: "r500", messages: [{ role: "user", content: "x" }] });
    const listed = (await (await gw.api("/api/gateway/keys")).json()) as Array<{ name: string; requests: number; inputTokens: number; outputTokens: number }>;
    expect(JSON.stringify(listed)).not.toContain(key);
    expect(listed.find((k) => k.name === "ui-key")).toMatchObject({ requests: 1, inputTokens: 7, outputTokens: 2 });
    expect((await gw.api(`/api/gateway/keys/${record.id}`, { method: "DELETE" })).status).toBe(200);
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("the request log and status show attempts, failovers and targets", async () => {
    await chat("r500");
    const rows = (await (await gw.api("/api/gateway/requests?limit=200")).json()) as Array<Record<string, unknown>>;
    const hop = rows.find((r) => r.modelAsked === "r500" && r.status === 200);
    expect(hop).toMatchObject({ keyName: "tester", endpoint: "chat", attempts: 2, failovers: 1, target: "ok1/m500", inputTokens: 7, outputTokens: 2 });
    expect(hop!.ttftMs).toEqual(expect.any(Number));
    expect(rows.some((r) => r.modelAsked === "rhang" && r.target === "ok1/mhang")).toBe(true);
    // An upstream's refusal is logged with its reason (its key masked), not only its status.
    expect(rows.find((r) => r.modelAsked === "claude-cloud" && r.status === 400)?.error).toBe("bad key [redacted] rejected");
    const status = (await (await gw.api("/api/gateway/status")).json()) as { backends: Array<{ name: string; hasKey: boolean }>; failovers: Array<{ from: string }>; routes: Array<{ model: string; tiers: unknown[][] }> };
    expect(JSON.stringify(status)).not.toContain(CLOUD_KEY);
    expect(status.backends.find((b) => b.name === "cloud")!.hasKey).toBe(true);
    expect(status.failovers.some((f) => f.from === "s500/x")).toBe(true);
    expect(status.routes.find((r) => r.model === "balanced")!.tiers[0]).toHaveLength(2);
  });

  it("/metrics needs a token and speaks Prometheus", async () => {
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    const text = await (await gw.api("/metrics")).text();
    expect(text).toMatch(/switchyard_gateway_requests_total\{model="r500",target="ok1\/m500",status="200",endpoint="chat"\} \d+/);
    expect(text).toContain("switchyard_gateway_time_to_first_token_seconds_bucket");
    expect(text).toMatch(/switchyard_gateway_failovers_total\{model="r500",from="s500\/x",to="ok1\/m500"\} \d+/);
    expect(text).toMatch(/switchyard_gateway_upstream_up\{backend="ok1"\} 1/);
    expect(text).toContain("# TYPE DCGM_FI_DEV_GPU_UTIL gauge");
    // The process's own series, as Node exporters name them.
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^nodejs_gc_duration_seconds_count\{kind="minor"\} [1-9]\d*$/m);
  });
});

