/**
 * Models on demand across restarts, and vLLM's sleep mode, on real components: a server and an
 * agent process, the real Docker Engine, and the vLLM STAND-IN image (scripts/test-deps/
 * engine-standin: vLLM's command line and health behaviour, a loading phase as long as the test
 * asks, and vLLM's documented /sleep, /wake_up and /is_sleeping), serving a tiny model with the
 * real llama-server. A server restart or an agent restart in the middle of a load does not start it
 * twice, and the request waiting for it is answered; an idle timer carries over a server restart;
 * `--unload sleep` puts the engine to sleep instead of removing it, and the next request wakes it.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { nodeContainers, runCli, startDeployAgent } from "../helpers/deploy";
import { STANDIN_IMAGE, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { GATEWAY_KEY } from "../helpers/gateway";
import { startServer, waitFor, waitForNodesOnline, type Proc, type TestServer } from "../helpers/processes";

const NODE = `ondemand-rs-${process.pid}`;
const skip = await dockerSkipReason(STANDIN_IMAGE);

describe.skipIf(skip !== null)(`models on demand across restarts, and vLLM sleep mode (stand-in)${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let modelDir: string;
  let config: string;
  let server: TestServer;
  let agent: Proc;

  const view = async (name: string) => (await (await server.api(`/api/deployments/${name}`)).json()) as DeploymentView;
  const containersOf = async (name: string) => (await nodeContainers(NODE)).filter((c) => c.Labels["switchyard.name"] === name);
  const launches = (name: string) => agent.text().split("\n").filter((l) => l.includes("deployment launched") && l.includes(`"deployment":"${name}"`)).length;
  const startAgent = () => startDeployAgent(server, NODE, { portRange: "28500-28599" });
  const online = () => waitForNodesOnline(server, [NODE]);
  const register = (name: string, ...extra: string[]) =>
    runCli(server, ["deploy", "vllm", modelDir, "--name", name, "--gpus", "none", "--image", STANDIN_IMAGE, "--ctx", "1024", "--on-demand", ...extra]);
  const ask = async (model: string) => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${GATEWAY_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "Say something" }], max_tokens: 8 }),
    });
    const body = (await res.json()) as { choices?: Array<{ message: { content: string } }> };
    if (res.status !== 200) throw new Error(`${model}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body.choices![0]!.message.content.trim();
  };
  const restartServer = async (signal: NodeJS.Signals) => {
    const { dataDir, port } = server;
    await server.proc.stop(signal);
    server = await startServer({ dataDir, port, env: { SWITCHYARD_CONFIG: config } });
  };

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-ondemand-rs-"));
    modelDir = path.join(dir, "tiny-hf");
    await fs.mkdir(modelDir);
    await fs.writeFile(path.join(modelDir, "config.json"), JSON.stringify({ architectures: ["LlamaForCausalLM"] }));
    await writeTinyLlamaGguf(path.join(modelDir, "model.gguf"), { deterministicWord: "Pong" });
    config = path.join(dir, "switchyard.yaml");
    await fs.writeFile(config, `apiKeys:\n  - {name: tests, key: ${GATEWAY_KEY}}\n`);
    server = await startServer({ env: { SWITCHYARD_CONFIG: config } });
    agent = startAgent();
    await online();
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("a server restart in the middle of a load: the request after it waits for the same start, nothing starts twice", async () => {
    expect((await register("slow", "--", "--standin-load-s", "5")).code).toBe(0);
    expect((await server.api("/api/deployments/slow/load?wait=0", { method: "POST" })).status).toBe(202);
    await waitFor("slow loading in its container", async () => (await view("slow")).state === "loading" && (await containersOf("slow")).length === 1, 20_000);
    await restartServer("SIGKILL");
    await online();
    expect(await ask("slow")).toBe("Pong");
    expect(await containersOf("slow")).toHaveLength(1);
    expect(launches("slow")).toBe(1);
  }, 60_000);

  it("an agent restart in the middle of a load: the container is adopted, the waiting request answered", async () => {
    expect((await runCli(server, ["unload", "slow"])).code).toBe(0);
    const answer = ask("slow");
    // Its engine is loading in its container (started, not yet serving) when the agent goes.
    await waitFor("slow loading again", async () => (await containersOf("slow"))[0]?.State === "running", 20_000);
    const [before] = await containersOf("slow");
    await agent.stop("SIGKILL");
    agent = startAgent();
    expect(await answer).toBe("Pong");
    // The same container, adopted: nothing started it twice.
    expect((await containersOf("slow")).map((c) => c.Id)).toEqual([before!.Id]);
  }, 60_000);

  it("the idle timer carries over a server restart", async () => {
    // Longer than a server restart takes on a busy machine, so that it is still loaded after it.
    expect((await register("brief", "--idle-timeout", "15s", "--", "--standin-load-s", "0")).code).toBe(0);
    expect(await ask("brief")).toBe("Pong");
    const last = (await view("brief")).onDemand!.lastRequestAt!;
    await restartServer("SIGTERM"); // a clean stop writes the last request time
    await online();
    const after = await view("brief");
    expect(after.onDemand!.lastRequestAt).toBe(last);
    expect(after.onDemand!.idleUnloadAt).toBe(last + 15_000);
    await waitFor("brief unloaded after its idle timeout", async () => (await view("brief")).state === "standby", 40_000);
    expect(await containersOf("brief")).toEqual([]);
  }, 90_000);

  it("`--unload sleep`: the engine sleeps (its container stays), and the next request wakes it", async () => {
    expect((await register("napper", "--unload", "sleep", "--", "--standin-load-s", "0")).code).toBe(0);
    expect(await ask("napper")).toBe("Pong");
    const [c] = await containersOf("napper");
    const info = await (await import("../helpers/docker")).docker().getContainer(c!.Id).inspect();
    expect(info.Args).toContain("--enable-sleep-mode");
    expect(info.Config.Env).toContain("VLLM_SERVER_DEV_MODE=1");

    const unloaded = await runCli(server, ["unload", "napper"]);
    expect(unloaded.code, unloaded.stderr).toBe(0);
    expect(unloaded.stdout).toMatch(/napper unloaded: standby \(its engine sleeps/);
    const asleep = await view("napper");
    expect(asleep).toMatchObject({ state: "standby", onDemand: { sleeping: true } });
    expect(await (await fetch(`${asleep.endpoint}/is_sleeping`)).json()).toEqual({ is_sleeping: true });
    expect((await containersOf("napper")).map((x) => x.Id)).toEqual([c!.Id]);

    expect(await ask("napper")).toBe("Pong");
    const awake = await view("napper");
    expect(awake).toMatchObject({ state: "ready", onDemand: { sleeping: false, lastLoad: { ok: true } } });
    expect(await (await fetch(`${awake.endpoint}/is_sleeping`)).json()).toEqual({ is_sleeping: false });
    expect((await containersOf("napper")).map((x) => x.Id)).toEqual([c!.Id]);
    expect(launches("napper")).toBe(1);
    const logs = await runCli(server, ["logs", "napper"]);
    expect(logs.stdout).toMatch(/sleeping \(level 1\)[\s\S]*woke up/);
  }, 60_000);
});
