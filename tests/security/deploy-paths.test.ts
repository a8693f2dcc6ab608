/**
 * A deploy's model path, played against the real server, real agents and the real Docker Engine.
 * What broke before: with a remote DOCKER_HOST the agent skipped its model check, and the server
 * had none, so any absolute path (`/` included) was mounted into the container. Two agents here:
 * one on the local socket, one whose DOCKER_HOST is tcp:// (a TCP relay to the same daemon, so the
 * agent cannot read the daemon's disk itself and must ask the daemon).
 */
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { nodeContainers, startDeployAgent } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { startServer, waitFor, waitForNodesOnline, type Proc, type TestServer } from "../helpers/processes";

const LOCAL = `paths-local-${process.pid}`;
const REMOTE = `paths-remote-${process.pid}`;
const skip = await dockerSkipReason(TEST_IMAGE);

describe.skipIf(skip !== null)(`model paths a deploy may mount${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let server: TestServer;
  let relay: net.Server;
  const agents: Proc[] = [];

  const deploy = async (node: string, engine: string, model: string) => {
    const res = await server.api("/api/deployments", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ engine, model, node, gpus: "none", image: TEST_IMAGE, name: `p${Date.now() % 1_000_000}` }),
    });
    return { status: res.status, body: (await res.json()) as DeploymentView & { error?: { message: string } } };
  };

  async function expectRefused(node: string, engine: string, model: string, why: RegExp) {
    const { status, body } = await deploy(node, engine, model);
    expect(status, `${node} ${model}: ${JSON.stringify(body)}`).toBe(400);
    expect(body.error?.message, model).toMatch(why);
    expect(await nodeContainers(node)).toEqual([]);
    expect(((await (await server.api("/api/deployments")).json()) as DeploymentView[]).filter((d) => d.node === node && d.state !== "failed")).toEqual([]);
  }

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": LOCAL });
    await cleanupContainers({ "switchyard.node": REMOTE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-paths-"));
    await writeTinyLlamaGguf(path.join(dir, "tiny.gguf"), { deterministicWord: "Pong" });
    await fs.writeFile(path.join(dir, "notes.gguf"), "not a model, but named like one\n");
    await fs.mkdir(path.join(dir, "empty-folder"));
    await fs.symlink("/", path.join(dir, "root-link"));
    await fs.symlink("/etc", path.join(dir, "etc-link"));
    // A Docker endpoint over TCP: the relay forwards to the local daemon's socket.
    relay = net.createServer((client) => {
      const daemon = net.connect("/var/run/docker.sock");
      client.pipe(daemon).pipe(client);
      // As a network would: one side gone, the other is closed too (a half-open relay would leave
      // the daemon blocked writing an archive nobody reads, with the container locked).
      client.on("close", () => daemon.destroy());
      daemon.on("close", () => client.destroy());
      client.on("error", () => daemon.destroy());
      daemon.on("error", () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
    const relayPort = (relay.address() as net.AddressInfo).port;
    // A loaded machine can delay the agents' telemetry past the default 5 s: do not let that look like going offline.
    server = await startServer({ env: { SWITCHYARD_OFFLINE_AFTER_S: "60" } });
    agents.push(startDeployAgent(server, LOCAL, { portRange: "28750-28769" }));
    agents.push(startDeployAgent(server, REMOTE, { portRange: "28770-28789", env: { DOCKER_HOST: `tcp://localhost:${relayPort}` } }));
    await waitForNodesOnline(server, [LOCAL, REMOTE]);
  });

  afterAll(async () => {
    if (process.env.SWITCHYARD_TEST_VERBOSE) for (const a of agents) process.stderr.write(a.text().slice(-4000));
    await Promise.all(agents.map((a) => a.stop()));
    await server?.stop();
    await new Promise((r) => relay?.close(r));
    await cleanupContainers({ "switchyard.node": LOCAL });
    await cleanupContainers({ "switchyard.node": REMOTE });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("refuses system directories with the reason, whatever DOCKER_HOST is", async () => {
    const cases: Array<[string, string, RegExp]> = [
      ["vllm", "/", /\/ is a system directory, not a model folder/],
      ["vllm", "/etc", /inside \/etc, a system directory: a deployment never mounts it/],
      ["vllm", "/root", /system directory/],
      ["vllm", "/proc", /inside \/proc/],
      ["vllm", "/sys/fs", /inside \/sys/],
      ["vllm", "/dev", /inside \/dev/],
      ["vllm", "/boot", /inside \/boot/],
      ["vllm", "/usr", /system directory/],
      ["vllm", "/bin", /system directory/],
      ["vllm", "/var/run", /inside \/var\/run/],
      ["llamacpp", "/var/run/docker.sock.gguf", /inside \/var\/run/],
      ["llamacpp", "/run/docker.sock", /inside \/run/],
      ["llamacpp", "/x.gguf", /sits directly in \/, and a container gets the whole folder/],
      ["llamacpp", "/etc/shadow.gguf", /inside \/etc/],
      ["vllm", "/srv/models/../../etc", /without '\.', '\.\.' or '\/\/'/],
      ["vllm", "/srv/a:/etc", /may not contain ':'/],
    ];
    for (const node of [LOCAL, REMOTE]) {
      for (const [engine, model, why] of cases) await expectRefused(node, engine, model, why);
    }
  });

  it("refuses what is not a model on the node's own disk (local Docker)", async () => {
    await expectRefused(LOCAL, "llamacpp", path.join(dir, "notes.gguf"), /is not a GGUF model file/);
    await expectRefused(LOCAL, "vllm", path.join(dir, "empty-folder"), /has no config\.json or \.safetensors weights/);
    await expectRefused(LOCAL, "vllm", path.join(dir, "root-link"), /leads to \/: .*system directory/);
    await expectRefused(LOCAL, "vllm", path.join(dir, "etc-link"), /leads to \/etc: .*inside \/etc/);
    await expectRefused(LOCAL, "llamacpp", path.join(dir, "missing.gguf"), /does not exist on/);
  });

  it("refuses what is not a model as the remote daemon sees it, before the container starts", async () => {
    await expectRefused(REMOTE, "llamacpp", path.join(dir, "notes.gguf"), /is not a GGUF model file/);
    await expectRefused(REMOTE, "vllm", path.join(dir, "empty-folder"), /has no config\.json or \.safetensors weights/);
    // Docker follows the link when it mounts: the container would see the host's root, which holds no model.
    await expectRefused(REMOTE, "vllm", path.join(dir, "root-link"), /has no config\.json or \.safetensors weights/);
    await expectRefused(REMOTE, "llamacpp", path.join(dir, "missing.gguf"), /does not exist on .* \(as its Docker daemon sees it\)/);
  });

  it("deploys a real model through the remote daemon", async () => {
    const { status, body } = await deploy(REMOTE, "llamacpp", path.join(dir, "tiny.gguf"));
    expect(status, JSON.stringify(body)).toBe(201);
    const ready = await waitFor("the deployment ready", async () => {
      const d = (await (await server.api(`/api/deployments/${body.name}`)).json()) as DeploymentView;
      if (d.state === "failed") throw new Error(`failed: ${d.reason}`);
      return d.state === "ready" ? d : null;
    }, 90_000, 500);
    expect(ready.node).toBe(REMOTE);
    expect((await server.api(`/api/deployments/${body.name}`, { method: "DELETE" })).status).toBeLessThan(300);
  }, 120_000);
});
