/**
 * Bad deploys on real components, each through the CLI: a message naming the problem, a non-zero
 * exit, and nothing left behind on the node (no container in any state, checked on the daemon by
 * the node's label). Docker down is a second agent pointed at a socket where no daemon answers;
 * the GPU runtime is missing for real here (no NVIDIA Container Toolkit).
 */
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { nodeContainers, runCli, startDeployAgent, type CliResult } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { freePort, startServer, waitForNodesOnline, type Proc, type TestServer } from "../helpers/processes";

const NODE = `deploy-err-${process.pid}`;
const NO_DOCKER = `no-docker-${process.pid}`;
const skip = await dockerSkipReason();

describe.skipIf(skip !== null)(`bad deploys${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let model: string;
  let server: TestServer;
  const agents: Proc[] = [];

  const deploy = (...args: string[]) => runCli(server, ["deploy", ...args]);
  const llama = (...extra: string[]) => deploy("llamacpp", model, "--node", NODE, "--image", TEST_IMAGE, ...extra);

  /** The failure: non-zero exit, the message, and no container and no deployment left. */
  async function expectRefused(r: CliResult, message: RegExp) {
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(await nodeContainers(NODE)).toEqual([]);
    const list = (await (await server.api("/api/deployments")).json()) as DeploymentView[];
    expect(list.filter((d) => d.state !== "failed")).toEqual([]);
  }

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-deploy-err-"));
    model = path.join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: "Pong" });
    server = await startServer();
    agents.push(startDeployAgent(server, NODE, { portRange: "28200-28299" }));
    agents.push(startDeployAgent(server, NO_DOCKER, { env: { DOCKER_HOST: `unix://${dir}/no-dockerd.sock` } }));
    await waitForNodesOnline(server, [NODE, NO_DOCKER]);
  });

  beforeEach(async () => expect(await nodeContainers(NODE)).toEqual([]));

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await server?.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("unknown engine", async () => {
    await expectRefused(await deploy("tgi", model, "--node", NODE), /unknown engine 'tgi': use one of vllm, sglang, llamacpp/);
  });

  it("model file missing", async () => {
    const missing = path.join(dir, "missing.gguf");
    await expectRefused(await deploy("llamacpp", missing, "--node", NODE, "--gpus", "none", "--image", TEST_IMAGE), new RegExp(`model file ${missing} does not exist on ${NODE}`));
  });

  it("GPU index not on the node", async () => {
    await expectRefused(await llama("--gpus", "7"), new RegExp(`GPU 7 is not on node ${NODE} \\(it has 0, 1\\)`));
  });

  it("image not present (and no registry to pull it from)", async () => {
    await expectRefused(
      await deploy("llamacpp", model, "--node", NODE, "--gpus", "none", "--image", "switchyard/not-here:missing"),
      new RegExp(`image switchyard/not-here:missing is not on ${NODE} and cannot be pulled: `),
    );
  });

  it("port in use", async () => {
    const port = await freePort();
    const holder = net.createServer().listen(port, "0.0.0.0");
    await new Promise((r) => holder.once("listening", r));
    try {
      await expectRefused(await llama("--gpus", "none", "--port", String(port)), new RegExp(`port ${port} is in use on ${NODE} \\(a program listens on it\\)`));
    } finally {
      holder.close();
    }
  });

  it("Docker daemon down", async () => {
    await expectRefused(
      await deploy("llamacpp", model, "--node", NO_DOCKER, "--gpus", "none", "--image", TEST_IMAGE),
      new RegExp(`cannot reach the Docker Engine at unix://${dir}/no-dockerd.sock on ${NO_DOCKER} \\(.*\\): is dockerd running\\?`),
    );
  });

  it("GPU runtime missing: Docker cannot select the nvidia driver; the created container is removed", async () => {
    await expectRefused(
      await llama("--gpus", "0"),
      new RegExp(`the NVIDIA Container Toolkit is not installed on ${NODE}.*could not select device driver "nvidia"`),
    );
  });

  it("a model the engine cannot load: fails with the container's last log lines, removes the container", async () => {
    const bogus = path.join(dir, "bogus.gguf");
    // It begins like a GGUF file (the agent refuses files that do not), but nothing after that is.
    await fs.writeFile(bogus, "GGUF and then nothing a model needs");
    const r = await deploy("llamacpp", bogus, "--node", NODE, "--gpus", "none", "--image", TEST_IMAGE, "--name", "bogus");
    await expectRefused(r, /bogus failed on deploy-err-\d+: the engine exited with code 1\n--- last log lines of the container ---\n[\s\S]*bogus\.gguf/);
    // The record stays, failed, so ps and the dashboard say why; stop forgets it.
    expect((await runCli(server, ["ps"])).stdout).toMatch(/bogus\s+deploy-err-\d+\s+llamacpp\s+cpu\s+failed/);
    expect((await runCli(server, ["stop", "bogus"])).code).toBe(0);
    expect((await runCli(server, ["ps"])).stdout).toMatch(/No deployments/);
  });

  it("usage errors exit 2 before asking the server", async () => {
    const r = await deploy("vllm");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deploy needs ENGINE and MODEL/);
    expect((await runCli(server, ["stop", "nothing-here"])).stderr).toMatch(/no deployment named 'nothing-here'/);
  });
});
