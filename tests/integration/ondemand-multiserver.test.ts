/**
 * Models on demand with several servers on one PostgreSQL database, on real components: two server
 * processes, one agent connected to A only, the real Docker Engine and llama.cpp image, a tiny
 * model. Requests for a standby deployment arrive at B (which does not hold the agent) and at A at
 * once: one start, on the node A holds, and every request is answered. Both servers then see it
 * ready with the same policy, and an unload asked on B leaves it standby everywhere.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { clusterServer, clusterStats, nodeOn } from "../helpers/cluster-servers";
import { postgresDatabase, skipReason } from "../helpers/databases";
import { nodeContainers, runCli, startDeployAgent } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { GATEWAY_KEY } from "../helpers/gateway";
import { waitFor, type Proc, type TestServer } from "../helpers/processes";

const NODE = `ondemand-ms-${process.pid}`;
const skip = skipReason("postgres") ?? (await dockerSkipReason());

describe.skipIf(skip !== null)(`models on demand on two servers${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let a: TestServer;
  let b: TestServer;
  let agent: Proc;

  const view = async (s: TestServer, name: string) => (await (await s.api(`/api/deployments/${name}`)).json()) as DeploymentView;
  const answer = async (s: TestServer, model: string) => {
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${GATEWAY_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "Say something" }], max_tokens: 8 }),
    });
    const body = (await res.json()) as { choices?: Array<{ message: { content: string } }>; error?: unknown };
    if (res.status !== 200) throw new Error(`${s.url} ${model}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body.choices![0]!.message.content.trim();
  };
  const launches = (name: string) => agent.text().split("\n").filter((l) => l.includes("deployment launched") && l.includes(`"deployment":"${name}"`)).length;

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-ondemand-ms-"));
    const model = path.join(dir, "pong.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: "Pong" });
    const { url } = await postgresDatabase();
    const configYaml = `apiKeys:\n  - {name: tests, key: ${GATEWAY_KEY}}\n`;
    a = await clusterServer(url, { configYaml });
    await waitFor("A leads", async () => (await clusterStats(a)).leader, 20_000);
    b = await clusterServer(url, { configYaml });
    agent = startDeployAgent(a, NODE, { portRange: "28700-28749" });
    await waitFor(`${NODE} online on B`, async () => (await nodeOn(b, NODE))?.online, 30_000);
    const r = await runCli(b, ["deploy", "llamacpp", model, "--name", "pong", "--node", NODE, "--gpus", "none", "--image", TEST_IMAGE, "--ctx", "2048", "--on-demand", "--idle-timeout", "10m"]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor("pong standby on A", async () => (await view(a, "pong")).state === "standby", 10_000);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await cleanupContainers({ "switchyard.node": NODE });
    if (dir) await fs.rm(dir, { recursive: true, force: true });
    await (await postgresDatabase()).drop();
  });

  it("requests at B (which does not hold the agent) and at A load it once, on A's node, and are answered", async () => {
    expect(await nodeContainers(NODE)).toEqual([]);
    const answers = await Promise.all([answer(b, "pong"), answer(b, "pong"), answer(a, "pong")]);
    expect(answers).toEqual(["Pong", "Pong", "Pong"]);
    expect(launches("pong")).toBe(1);
    expect(await nodeContainers(NODE)).toHaveLength(1);
    for (const s of [a, b]) {
      await waitFor(`pong ready as ${s.url} sees it`, async () => {
        const v = await view(s, "pong");
        return v.state === "ready" && v.onDemand?.idleTimeoutS === 600;
      }, 10_000);
    }
    // Warm now: another request at B goes straight to it.
    expect(await answer(b, "pong")).toBe("Pong");
    expect(launches("pong")).toBe(1);
  });

  it("an unload asked on B leaves it standby on both servers, with no container", async () => {
    const res = await b.api("/api/deployments/pong/unload", { method: "POST" });
    expect(res.status, await res.clone().text()).toBe(200);
    await waitFor("no container", async () => (await nodeContainers(NODE)).length === 0, 20_000);
    for (const s of [a, b]) await waitFor(`standby on ${s.url}`, async () => (await view(s, "pong")).state === "standby", 10_000);
  });
});
