/**
 * Attacker: a gateway key limited to model `small` tries to have the backend run (and the owner pay
 * for) model `big`. The gateway reads `model` with a byte-level scan and passes the client's bytes
 * through; the backend parses them with a JSON parser. Whatever the gateway decided on (the key's
 * allow-list, the route) must be what the backend reads. It was not: `{"model":"small", …,
 * "mod\u0065l":"big"}` passed the allow-list as `small`, and the backend's parser took the last
 * `model`, `big`.
 *
 * The upstream here parses what it is sent with JSON.parse (the last duplicate wins, as in Python's
 * json and most others) and records the model it read, and the one Go's encoding/json would read
 * (keys matched in any case: `"MODEL":"big"` fills `model`). Hand-written attacks first, then generated
 * ones: every spelling of the keys (any character escaped), duplicates before and after, both
 * protocols' endpoints.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, openAICompletion, scriptedUpstream, startGateway, withHealth, type GatewayServer, type Scripted } from "../helpers/gateway";

const LIMITED = "sk-test-limited-to-small-1";
let gw: GatewayServer;
let upstream: Scripted;
/** Models the backend read from the bodies it was sent. */
const read: string[] = [];
/** Models a backend parsing as Go does would have read from the same bodies. */
const goRead: string[] = [];

beforeAll(async () => {
  upstream = await scriptedUpstream(withHealth((req, res) => {
    let body: { model: string };
    try {
      body = JSON.parse(req.body) as { model: string };
    } catch {
      return json(res, 400, { error: { message: "not JSON" } });
    }
    read.push(body.model);
    // Go's encoding/json (Ollama's, LocalAI's) fills `model` from any casing of the key, the last one winning.
    const goKey = Object.keys(body).filter((k) => k.toLowerCase() === "model").pop();
    if (goKey) goRead.push((body as Record<string, string>)[goKey]!);
    json(res, 200, openAICompletion(body.model, "ok"));
  }));
  gw = await startGateway(`apiKeys:
  - {name: limited, key: ${LIMITED}, models: [small]}
backends:
  - {name: up, url: "${upstream.url}", api: openai}
routes:
  - {model: small, targets: [up/small-model]}
  - {model: big, targets: [up/big-model]}
`);
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

const post = (path: string, body: string) =>
  gw.gw(path, { method: "POST", key: LIMITED, body, headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" }, signal: AbortSignal.timeout(10_000) });

/** `model` or `stream` with each character, at random, written as a \u escape (either hex case). */
const spelled = (key: string) =>
  fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: key.length, maxLength: key.length }).map((flags) =>
    [...key].map((ch, i) => {
      const [escape, upper] = flags[i]!;
      if (!escape) return ch;
      const hex = ch.charCodeAt(0).toString(16).padStart(4, "0");
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    }).join(""));

describe("a key limited to one model cannot reach another", () => {
  const chat = (extra: string) => `{"model":"small","messages":[{"role":"user","content":"hi"}]${extra}}`;

  it("refuses `model` given twice, escaped or not, and sends the backend nothing", async () => {
    const before = upstream.calls().length;
    for (const body of [
      chat(',"mod\\u0065l":"big"'),
      chat(',"model":"big"'),
      chat(',"\\u006D\\u006f\\u0064\\u0065\\u006c":"big"'),
      `{"mod\\u0065l":"big",${chat("").slice(1)}`,
    ]) {
      const res = await post("/v1/chat/completions", body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/"model" more than once/);
    }
    const messages = await post("/v1/messages", '{"model":"small","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"mod\\u0065l":"big"}');
    expect(messages.status).toBe(400);
    expect(upstream.calls().length).toBe(before);
  });

  it("refuses `model` or `stream` in another case, which a Go backend reads as the same key", async () => {
    const before = upstream.calls().length;
    const bodies = [chat(',"MODEL":"big"'), chat(',"Model":"big"'), chat(',"\\u004dODEL":"big"'), `{"mOdEl":"big",${chat("").slice(1)}`,
      chat(',"stream":false,"STREAM":true'), chat(',"\u017ftream":true')];
    for (const path of ["/v1/chat/completions", "/v1/messages"]) {
      for (const body of bodies) {
        const res = await post(path, path === "/v1/messages" ? body.replace('"messages"', '"max_tokens":8,"messages"') : body);
        expect(res.status, `${path} ${body}`).toBe(400);
        expect(((await res.json()) as { error: { message: string } }).error.message, body).toMatch(/backends differ/);
      }
    }
    await fc.assert(fc.asyncProperty(fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }).filter((up) => up.some(Boolean)), fc.boolean(), async (up, after) => {
      const key = [..."model"].map((ch, i) => (up[i] ? ch.toUpperCase() : ch)).join("");
      const body = after ? chat(`,"${key}":"big"`) : `{"${key}":"big",${chat("").slice(1)}`;
      const res = await post("/v1/chat/completions", body);
      await res.arrayBuffer();
      expect(res.status, body).toBe(400);
    }), { numRuns: 60 });
    expect(upstream.calls().length).toBe(before);
    expect(goRead.filter((m) => m !== "small-model")).toEqual([]);
  });

  it("reads an escaped `model` as the backend does: the allow-list sees `big`", async () => {
    const res = await post("/v1/chat/completions", '{"mod\\u0065l":"big","messages":[{"role":"user","content":"hi"}]}');
    expect(res.status).toBe(403);
  });

  it("refuses a second JSON document after the body, and a `stream` the backends would read differently", async () => {
    for (const body of [chat("") + '{"model":"big"}', chat(',"stream":"true"'), chat(',"stream":false,"str\\u0065am":true')]) {
      const res = await post("/v1/chat/completions", body);
      expect(res.status, body).toBe(400);
    }
    expect(read).not.toContain("big-model");
  });

  it("generated spellings and placements: the backend only ever reads the allowed model", async () => {
    const before = read.length;
    await fc.assert(fc.asyncProperty(
      spelled("model"), spelled("model"), fc.constantFrom("big", "small"), fc.boolean(), fc.constantFrom("/v1/chat/completions", "/v1/messages"), fc.option(spelled("stream"), { nil: undefined }),
      async (first, second, otherModel, otherFirst, path, streamKey) => {
        const fields = [`"messages":[{"role":"user","content":"hi"}]`, `"max_tokens":8`];
        if (streamKey) fields.push(`"${streamKey}":false`);
        const mine = `"${first}":"small"`;
        const theirs = `"${second}":"${otherModel}"`;
        const body = `{${(otherFirst ? [theirs, ...fields, mine] : [mine, ...fields, theirs]).join(",")}}`;
        const res = await post(path, body);
        await res.arrayBuffer();
        // Two `model` keys however spelled: refused before anything reaches the backend.
        expect(res.status, body).toBe(400);
      },
    ), { numRuns: 150 });
    await fc.assert(fc.asyncProperty(spelled("model"), fc.constantFrom("big", "small"), async (key, model) => {
      const res = await post("/v1/chat/completions", `{"${key}":"${model}","messages":[{"role":"user","content":"hi"}]}`);
      await res.arrayBuffer();
      // One `model`, however spelled: the allow-list decides on what the backend will read.
      expect(res.status, key).toBe(model === "small" ? 200 : 403);
    }), { numRuns: 100 });
    expect(read.slice(before).every((m) => m === "small-model")).toBe(true);
    expect(read).not.toContain("big-model");
  });
});
