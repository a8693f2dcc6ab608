/**
 * The one-file agent the server serves (`GET /agent/switchyard-agent.mjs`), run as a GPU box runs
 * it: copied alone into an empty directory (no node_modules anywhere above it, no tsx, no clone),
 * with nothing but Node.js.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotSchema } from "../../protocol/telemetry";
import type { NodeView } from "../../protocol/live";
import { dockerAvailable } from "../helpers/docker";
import { AGENT_TOKEN, Proc, ROOT, STANDIN, startServer, waitFor, type TestServer } from "../helpers/processes";

describe("the bundled agent file", () => {
  let server: TestServer;
  let dir: string;
  let bundle: string;
  const procs: Proc[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { SWITCHYARD_TLS: "self-signed" } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sy-bundle-"));
    bundle = path.join(dir, "switchyard-agent.mjs");
    const res = await server.api("/agent/switchyard-agent.mjs", { token: null });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    fs.writeFileSync(bundle, body);
    expect(res.headers.get("x-switchyard-agent-sha256")).toBe(createHash("sha256").update(body).digest("hex"));
    // What the installer checks the download against is what was served.
    const script = await (await server.api("/agent/install.sh", { token: null })).text();
    expect(script).toContain(`BUNDLE_SHA256='${res.headers.get("x-switchyard-agent-sha256")}'`);
    // The size is a figure the issue asks for.
    console.info(`agent bundle: ${(body.length / 1024 / 1024).toFixed(2)} MiB`);
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // A box's environment: no NODE_PATH or NODE_OPTIONS from this test run to find packages with.
  const env = (extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? "", HOME: dir, LOG_LEVEL: "info",
    SWITCHYARD_NVIDIA_SMI: STANDIN, SWITCHYARD_STANDIN_GPUS: "h100,rtx-4080-super", SWITCHYARD_STANDIN_PHASE: "load", ...extra,
  }) as unknown as NodeJS.ProcessEnv;

  it("is one file with nothing beside it to lean on", () => {
    expect(fs.readdirSync(dir)).toEqual(["switchyard-agent.mjs"]);
    for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) expect(fs.existsSync(path.join(d, "node_modules")), d).toBe(false);
    const size = fs.statSync(bundle).size;
    expect(size).toBeLessThan(4 * 1024 * 1024);
    expect(fs.readFileSync(bundle, "utf8")).toMatch(/Third-party software in this file, with its licences:[\s\S]*ws@8\.\d+\.\d+ \(MIT\)/);
  });

  it("--once prints a contract snapshot from an empty directory", () => {
    const r = spawnSync(process.execPath, [bundle, "--once"], { cwd: dir, encoding: "utf8", env: env(), timeout: 30_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const snap = snapshotSchema.parse(JSON.parse(r.stdout));
    expect(snap.gpus.map((g) => g.name)).toEqual(["NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 4080 SUPER"]);
  });

  it("on a Node.js older than 20 says what to install before anything else runs", () => {
    const fakeOld = "data:text/javascript,Object.defineProperty(process.versions,'node',{value:'18.19.0'})";
    const r = spawnSync(process.execPath, ["--import", fakeOld, bundle, "--once"], { cwd: dir, encoding: "utf8", env: env(), timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^switchyard-agent needs Node\.js 20 or newer; this is Node\.js 18\.19\.0/);
    expect(r.stderr).toMatch(/Install Node\.js 20\+/);
  });

  it("connects to the server over wss:// pinned by --fingerprint, and its telemetry and version reach the API", async () => {
    const child = spawn(process.execPath, [bundle, "--server", server.url, "--fingerprint", server.fingerprint!, "--name", "sy-bundle-box"], {
      cwd: dir, env: env({ SWITCHYARD_AGENT_TOKEN: AGENT_TOKEN, SWITCHYARD_STANDIN_SEED: "sy-bundle-box" }), stdio: ["ignore", "pipe", "pipe"],
    });
    const agent = new Proc(child);
    procs.push(agent);
    const node = await waitFor("sy-bundle-box online with 2 GPUs", async () => {
      const found = ((await (await server.api("/api/nodes")).json()) as NodeView[]).find((n) => n.name === "sy-bundle-box");
      return found?.online && found.gpus.length === 2 && found.host ? found : null;
    }, 30_000);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(node.agentVersion).toBe(pkg.version);
    await agent.stop();
    expect(agent.text()).not.toMatch(/"level":(50|60)/);
    // The bundled dockerode talked to the real Docker Engine (its container scan at connect).
    if (await dockerAvailable()) expect(agent.text()).not.toMatch(/Docker is not reachable|could not list containers/);
  });
});
