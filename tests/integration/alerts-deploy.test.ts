/**
 * deployment-failed on real components: a real llama.cpp container (the local llama.cpp image, a
 * tiny generated model) deployed through the server and agent, killed in the Docker Engine: the
 * webhook is told it failed, with the container's last log lines; restarted, it resolves. One
 * deployed with --restart always and killed again and again is told as a restart loop.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { httpSink, type HttpSink } from "../helpers/alert-sinks";
import { nodeContainers, startDeployAgent } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, docker, dockerSkipReason } from "../helpers/docker";
import { startGateway, type GatewayServer } from "../helpers/gateway";
import { waitFor, type Proc } from "../helpers/processes";

const NODE = `alerts-dep-${process.pid}`;
const skip = await dockerSkipReason();

describe.skipIf(skip !== null)(`deployment-failed alerts${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let model: string;
  let sink: HttpSink;
  let server: GatewayServer;
  let agent: Proc;

  const view = async (name: string) => (await (await server.api(`/api/deployments/${name}`)).json()) as DeploymentView;
  const hooks = (state: string, deployment = "crashy") => sink.at("/hook").map((r) => r.json!).filter((j) => j.rule === "deployment-failed" && j.state === state && j.deployment === deployment);
  const deploy = async (body: Record<string, unknown>) => {
    const res = await server.api("/api/deployments", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ engine: "llamacpp", model, node: NODE, gpus: "none", image: TEST_IMAGE, ctx: 2048, ...body }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  };
  const kill = async (name: string) => {
    const c = (await nodeContainers(NODE)).find((x) => x.Labels["switchyard.name"] === name);
    await docker().getContainer(c!.Id).kill({ signal: "SIGKILL" });
  };

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-alerts-dep-"));
    model = path.join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: "Pong" });
    sink = await httpSink();
    server = await startGateway(`
alerts:
  channels:
    - {name: hook, url: "${sink.url}/hook"}
  rules:
    - {when: deployment-failed, nodes: ["${NODE}"], deployments: [crashy], notify: [hook]}
    - {when: deployment-failed, name: loop, deployments: [loopy], restarts: 2, window: 10m, notify: [hook]}
`, { env: { SWITCHYARD_OFFLINE_AFTER_S: "15" } }); // a loaded shared machine can delay a sample by seconds
    agent = startDeployAgent(server, NODE, { portRange: "28400-28449" });
    await waitFor(`${NODE} online`, async () => ((await (await server.api(`/api/nodes/${NODE}`)).json()) as { online?: boolean }).online, 30_000);
  });

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await sink?.close();
    await cleanupContainers({ "switchyard.node": NODE });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("a crashed llama.cpp container fires with its last log lines, and resolves once it runs again", async () => {
    await deploy({ name: "crashy" });
    await waitFor("crashy ready", async () => (await view("crashy")).state === "ready", 90_000, 500);
    expect(hooks("firing")).toEqual([]);

    await kill("crashy");
    await waitFor("deployment-failed on the webhook", () => hooks("firing").length > 0, 30_000, 200);
    const fired = hooks("firing")[0]!;
    expect(fired).toMatchObject({ rule: "deployment-failed", node: NODE, deployment: "crashy" });
    expect(fired.message).toMatch(new RegExp(`^deployment crashy on ${NODE} failed: the container was killed \\(exit code 137, SIGKILL\\)\\nlast log lines:\\n`));
    // llama-server's own words, as the container printed them.
    expect(fired.message).toMatch(/llama|main:|srv/);

    const restart = await server.api("/api/deployments/crashy/restart", { method: "POST" });
    expect(restart.status).toBe(200);
    await waitFor("resolved on the webhook", () => hooks("resolved").length > 0, 90_000, 500);
    expect(hooks("resolved")[0]!.message).toMatch(/^deployment crashy is running again after \d+m?s; was: deployment crashy on /);
    expect(hooks("firing")).toHaveLength(1);
    expect((await server.api("/api/deployments/crashy", { method: "DELETE" })).status).toBe(200);
  });

  it("a container restarted after crash upon crash is a restart loop; stopping it resolves", async () => {
    await deploy({ name: "loopy", restart: "always" });
    await waitFor("loopy ready", async () => (await view("loopy")).state === "ready", 90_000, 500);
    await kill("loopy");
    await waitFor("loopy restarted once and ready", async () => {
      const v = await view("loopy");
      return v.restarts === 1 && v.state === "ready";
    }, 60_000, 300);
    // One crash the agent recovered from is not worth a notice.
    expect(hooks("firing", "loopy")).toEqual([]);
    await kill("loopy");
    await waitFor("the restart loop on the webhook", () => hooks("firing", "loopy").length > 0, 60_000, 300);
    expect(hooks("firing", "loopy")[0]!.message).toMatch(new RegExp(`^deployment loopy on ${NODE} is restarting in a loop: 2 restarts in 10m`));
    expect((await server.api("/api/deployments/loopy", { method: "DELETE" })).status).toBe(200);
    await waitFor("resolved as stopped", () => hooks("resolved", "loopy").length > 0, 30_000, 300);
    expect(hooks("resolved", "loopy")[0]!.message).toMatch(/^deployment loopy was stopped and removed/);
  });
});
