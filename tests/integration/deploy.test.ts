/**
 * One-command deploys end to end on real components: the `switchyard` CLI, a real server and agent
 * process, the real Docker Engine, the real llama.cpp server image and a tiny generated model that
 * always answers one word. Deploy → ready → answered → logs → agent and server restarts (adopted,
 * no duplicate) → crash (failed with its log lines; restarted when asked) → stop → container gone.
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { chat, nodeContainers, printedEndpoint, runCli, startDeployAgent } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, containerExists, docker, dockerSkipReason } from "../helpers/docker";
import { ADMIN_TOKEN, ROOT, startServer, waitFor, waitForNodesOnline, type Proc, type TestServer } from "../helpers/processes";

const WORD = "Pong";
const NODE = `deploy-it-${process.pid}`;
const skip = await dockerSkipReason();

describe.skipIf(skip !== null)(`deploys on the real Docker Engine${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let model: string;
  let server: TestServer;
  let agent: Proc;
  let endpoint: string;

  const view = async (name: string) => (await (await server.api(`/api/deployments/${name}`)).json()) as DeploymentView;
  const deploy = (name: string, ...extra: string[]) =>
    runCli(server, ["deploy", "llamacpp", model, "--name", name, "--node", NODE, "--gpus", "none", "--image", TEST_IMAGE, "--ctx", "2048", ...extra]);
  const nodeOnline = () => waitForNodesOnline(server, [NODE]);

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-deploy-"));
    model = path.join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: WORD });
    server = await startServer();
    agent = startDeployAgent(server, NODE);
    await nodeOnline();
  });

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("deploys with one command: waits until healthy, prints the name and endpoint, exits 0", async () => {
    const r = await deploy("tiny");
    expect(r.code, r.stderr).toBe(0);
    // Routable through the gateway the moment deploy says ready (its cached view once lagged by up to 0.5 s: a 404).
    expect(await chat(server.url, "tiny", ADMIN_TOKEN)).toBe(WORD);
    expect(r.stdout).toMatch(new RegExp(`^tiny is ready on ${NODE} in \\d+\\.\\d s`));
    endpoint = printedEndpoint(r.stdout);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:28\d{3}$/);
    expect(r.stderr).toMatch(/deploying tiny \(llamacpp, .*tiny\.gguf\) on deploy-it-\d+ CPU/);
    // Healthy and routable: the model answers at once, under the deployment's name.
    expect(await chat(endpoint, "tiny")).toBe(WORD);
    expect(await view("tiny")).toMatchObject({ state: "ready", endpoint, servedName: "tiny", node: NODE, gpus: [] });
  });

  it("runs it as a labelled container with the engine's command line", async () => {
    const [c, ...more] = await nodeContainers(NODE);
    expect(more).toEqual([]);
    expect(c!.Labels).toMatchObject({ "switchyard.managed": "true", "switchyard.name": "tiny", "switchyard.engine": "llamacpp", "switchyard.model": model });
    const info = await docker().getContainer(c!.Id).inspect();
    expect(info.Args).toEqual(["-m", "/models/tiny.gguf", "--host", "0.0.0.0", "--port", "8080", "-a", "tiny", "--metrics", "-c", "2048"]);
    expect(info.HostConfig.Binds).toContain(`${dir}:/models:ro`);
    expect(info.HostConfig.RestartPolicy?.Name).toBe("no");
  });

  it("lists it with ps, and shows its logs (also live with -f)", async () => {
    const ps = await runCli(server, ["ps"]);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(new RegExp(`tiny\\s+${NODE}\\s+llamacpp\\s+cpu\\s+ready\\s+${endpoint.replace(/\./g, "\\.")}\\s+\\d+s`));

    const logs = await runCli(server, ["logs", "tiny", "--tail", "100"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/listening on http:\/\/0\.0\.0\.0:8080/);

    const follow = spawn(process.execPath, [path.join(ROOT, "bin", "switchyard.mjs"), "logs", "tiny", "-f", "--tail", "0"], {
      env: { ...process.env, SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: ADMIN_TOKEN }, stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    follow.stdout.on("data", (b: Buffer) => (out += b.toString()));
    try {
      // A request makes llama-server log; the lines arrive while it runs.
      await waitFor("live log lines", async () => {
        await chat(endpoint, "tiny");
        return /print_timing|release/.test(out);
      }, 20_000, 500);
    } finally {
      follow.kill("SIGINT");
    }
  });

  it("an agent restart adopts the running container: no duplicate, no orphan, still serving", async () => {
    const [before] = await nodeContainers(NODE);
    await agent.stop("SIGKILL");
    agent = startDeployAgent(server, NODE);
    await nodeOnline();
    await waitFor("adopted and ready", async () => (await view("tiny")).state === "ready", 20_000);
    const after = await nodeContainers(NODE);
    expect(after.map((c) => c.Id)).toEqual([before!.Id]);
    expect(await chat(endpoint, "tiny")).toBe(WORD);
    const list = (await (await server.api("/api/deployments")).json()) as DeploymentView[];
    expect(list.map((d) => d.name)).toEqual(["tiny"]);
  });

  it("a server restart keeps the deployment", async () => {
    const { dataDir, port } = server;
    await server.stop();
    server = await startServer({ dataDir, port });
    // The record is there at once (from the database); the agent reconnects and confirms it.
    expect((await view("tiny")).name).toBe("tiny");
    await nodeOnline();
    await waitFor("confirmed ready", async () => {
      const v = await view("tiny");
      return v.state === "ready" && v.nodeOnline && v.endpoint === endpoint;
    }, 20_000);
  });

  it("a crash turns it failed with its last log lines; with --restart on-failure it comes back", async () => {
    const kept = await deploy("keeper", "--restart", "on-failure");
    expect(kept.code, kept.stderr).toBe(0);
    const crashy = await deploy("crashy");
    expect(crashy.code, crashy.stderr).toBe(0);

    const idOf = async (name: string) => (await nodeContainers(NODE)).find((c) => c.Labels["switchyard.name"] === name)!.Id;
    await docker().getContainer(await idOf("crashy")).kill({ signal: "SIGKILL" });
    await docker().getContainer(await idOf("keeper")).kill({ signal: "SIGKILL" });

    const failed = await waitFor("crashy failed", async () => {
      const v = await view("crashy");
      return v.state === "failed" ? v : null;
    }, 20_000);
    expect(failed.reason).toMatch(/killed \(exit code 137/);
    expect(failed.logs.join("\n")).toMatch(/llama_server|main: /);
    const ps = await runCli(server, ["ps"]);
    expect(ps.stdout).toMatch(/crashy: the container was killed/);

    const back = await waitFor("keeper restarted and ready", async () => {
      const v = await view("keeper");
      return v.state === "ready" && v.restarts === 1 ? v : null;
    }, 30_000);
    expect(await chat(back.endpoint!, "keeper")).toBe(WORD);

    for (const name of ["keeper", "crashy"]) expect((await runCli(server, ["stop", name])).code).toBe(0);
  });

  it("an API key goes to the engine in its environment, not its command line, and the engine enforces it", async () => {
    const KEY = "sk-deploy-it-key-4321";
    const r = await deploy("keyed", "--api-key", KEY);
    expect(r.code, r.stderr).toBe(0);
    const keyed = printedEndpoint(r.stdout);
    const c = (await nodeContainers(NODE)).find((x) => x.Labels["switchyard.name"] === "keyed")!;
    const info = await docker().getContainer(c.Id).inspect();
    // Not in `ps aux` on the box nor in `docker inspect`'s command: llama-server reads LLAMA_API_KEY.
    expect(JSON.stringify([info.Path, info.Args, info.Config.Cmd, info.Config.Labels])).not.toContain(KEY);
    expect(info.Config.Env).toContain(`LLAMA_API_KEY=${KEY}`);
    expect((await fetch(`${keyed}/v1/models`)).status).toBe(401);
    expect((await fetch(`${keyed}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect(JSON.stringify(await (await server.api("/api/deployments")).json())).not.toContain(KEY);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect((await runCli(server, ["stop", "keyed"])).code).toBe(0);
  });

  it("warns, before the engine refuses prompts, when the context is longer than the model was trained for", async () => {
    const r = await runCli(server, ["deploy", "llamacpp", model, "--name", "longctx", "--node", NODE, "--gpus", "none", "--image", TEST_IMAGE, "--ctx", "65536"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/warning: .*exceeds the model's trained context/);
    expect((await view("longctx")).warnings.join(" ")).toMatch(/caps each slot/);
    expect((await runCli(server, ["stop", "longctx"])).code).toBe(0);
  });

  it("stop removes the container and the deployment", async () => {
    const [c] = await nodeContainers(NODE);
    const r = await runCli(server, ["stop", "tiny"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tiny stopped and removed/);
    expect(await containerExists(c!.Id)).toBe(false);
    expect(await nodeContainers(NODE)).toEqual([]);
    expect((await runCli(server, ["ps"])).stdout).toMatch(/No deployments/);
    await expect(fetch(`${endpoint}/health`)).rejects.toThrow();
  });
});
