/**
 * An impostor on the LAN answers where the agent (or the CLI, or the install one-liner) expects the
 * Switchyard server: a TLS server with a self-signed certificate of its own that records every byte
 * it receives after the handshake. Pinned clients must refuse it before sending anything, and say
 * why; the real server (SWITCHYARD_TLS=self-signed) with the right fingerprint works end to end.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installCommand } from "../../protocol/enrollment";
import { makeSelfSigned } from "../../server/tls/self-signed";
import type { NodeView } from "../../protocol/live";
import { ADMIN_TOKEN, AGENT_TOKEN, ROOT, startAgent, startServer, waitFor, type Proc, type TestServer } from "../helpers/processes";

interface Impostor {
  url: string;
  /** Connections clients opened to it (each one a TLS handshake begun). */
  connections: number;
  /** Everything clients sent it after the handshake. */
  received(): string;
  close(): Promise<void>;
}

async function startImpostor(): Promise<Impostor> {
  const { cert, key } = await makeSelfSigned({ dns: ["localhost"], ips: ["127.0.0.1"] });
  const chunks: Buffer[] = [];
  const state = { connections: 0 };
  const server = tls.createServer({ cert, key }, (socket) => {
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", () => socket.destroy());
  });
  server.on("connection", () => (state.connections += 1));
  server.on("tlsClientError", () => { /* clients that refuse us end the handshake: expected */ });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    get connections() { return state.connections; },
    received: () => Buffer.concat(chunks).toString("latin1"),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, "bin", "switchyard.mjs"), ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const colonForm = (fp: string) => fp.slice("sha256:".length).toUpperCase().match(/../g)!.join(":");

describe("TLS pinning against an impostor server", () => {
  let server: TestServer;
  let impostor: Impostor;
  const agents: Proc[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { SWITCHYARD_TLS: "self-signed" } });
    impostor = await startImpostor();
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await server?.stop();
    await impostor?.close();
  });

  it("an agent pinned to the real server sends the impostor nothing (no token) and says why it refused", async () => {
    const agent = startAgent({ server: impostor.url, name: "sy-pin-victim", args: ["--fingerprint", server.fingerprint!] });
    agents.push(agent);
    // Several attempts (the agent retries): none of them may leak.
    await waitFor("the agent's refusal, twice", () => (agent.text().match(/refused https:\/\/127\.0\.0\.1:\d+: its TLS certificate is sha256:[0-9a-f]{64}, not the pinned/g) ?? []).length >= 2, 30_000);
    expect(impostor.connections).toBeGreaterThanOrEqual(2);
    expect(agent.text()).toMatch(/Nothing was sent to it/);
    expect(impostor.received()).not.toContain(AGENT_TOKEN);
    expect(impostor.received()).toBe("");
    await agent.stop();
  });

  it("without --fingerprint an agent refuses the self-signed server and says to pass --fingerprint", async () => {
    const before = impostor.connections;
    const toReal = startAgent({ server: server.url, name: "sy-pin-unpinned" });
    const toImpostor = startAgent({ server: impostor.url, name: "sy-pin-unpinned-2" });
    agents.push(toReal, toImpostor);
    for (const agent of [toReal, toImpostor]) {
      await waitFor("the agent's refusal", () => /TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \(self-signed certificate\).*--fingerprint sha256:/.test(agent.text()), 30_000);
    }
    expect(impostor.connections).toBeGreaterThan(before);
    expect(impostor.received()).toBe("");
    const nodes = (await (await server.api("/api/nodes")).json()) as NodeView[];
    expect(nodes.map((n) => n.name)).not.toContain("sy-pin-unpinned");
    await Promise.all([toReal.stop(), toImpostor.stop()]);
  });

  it("with the right fingerprint (openssl's colon form too) the agent connects over wss:// and its telemetry reaches the API", async () => {
    const agent = startAgent({ server: server.url, name: "sy-pin-box", gpus: "h100,rtx-4080-super", args: ["--fingerprint", colonForm(server.fingerprint!)] });
    agents.push(agent);
    const node = await waitFor("sy-pin-box online with its GPUs", async () => {
      const found = ((await (await server.api("/api/nodes")).json()) as NodeView[]).find((n) => n.name === "sy-pin-box");
      return found?.online && found.gpus.length === 2 && found.gpus[0]!.memUsedMiB !== null ? found : null;
    }, 30_000);
    expect(node.gpus.map((g) => g.name)).toEqual(["NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 4080 SUPER"]);
    expect(agent.text()).toMatch(/"msg":"connected"/);
  });

  it("the CLI pinned with SWITCHYARD_FINGERPRINT refuses the impostor before sending the admin token, and works with the server", async () => {
    const env = { SWITCHYARD_TOKEN: ADMIN_TOKEN, SWITCHYARD_FINGERPRINT: server.fingerprint! };
    const refused = await cli(["nodes"], { ...env, SWITCHYARD_URL: impostor.url });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused https:\/\/127\.0\.0\.1:\d+: its TLS certificate is sha256:[0-9a-f]{64}, not the pinned/);
    expect(impostor.received()).not.toContain(ADMIN_TOKEN);
    expect(impostor.received()).toBe("");

    const unpinned = await cli(["nodes"], { SWITCHYARD_TOKEN: ADMIN_TOKEN, SWITCHYARD_URL: server.url });
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toMatch(/not trusted.*SWITCHYARD_FINGERPRINT=sha256:/);

    const ok = await cli(["nodes", "--json"], { ...env, SWITCHYARD_URL: server.url });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as NodeView[]).map((n) => n.name)).toContain("sy-pin-box");
  });

  it("the dashboard works over HTTPS: pages load, and the session cookie is Secure", async () => {
    expect((await server.api("/login", { token: null })).status).toBe(200);
    const res = await server.api("/api/session", {
      token: null, method: "POST", headers: { "content-type": "application/json", origin: server.url }, body: JSON.stringify({ token: ADMIN_TOKEN }),
    });
    expect(res.status).toBe(204);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/sy_session=/);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    const page = await server.api("/", { token: null, headers: { cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });

  it("the dashboard's install one-liner pins the server's key: curl refuses the impostor, so no script runs", async () => {
    const enrollment = await (await server.api("/api/enrollment")).json() as { command: string };
    expect(enrollment.command).toContain(`--fingerprint ${server.fingerprint}`);
    const pin = /curl: --pinnedpubkey (sha256\/\/\S+)/.exec(server.proc.text())?.[1] ?? null;
    expect(pin).toMatch(/^sha256\/\/[A-Za-z0-9+/]{43}=$/);
    // Only the download half of the one-liner runs here (the rest would be `sudo sh` on this machine).
    const download = (serverUrl: string) => installCommand({ serverUrl, token: AGENT_TOKEN, fingerprint: server.fingerprint, curlPin: pin }).split(" | ")[0]!;
    const run = (cmd: string) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile("sh", ["-c", cmd], { timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));

    const fake = await run(download(impostor.url));
    expect(fake.code).toBe(90);
    expect(fake.stderr).toMatch(/public key does not match pinned public key/);
    expect(fake.stdout).toBe("");

    const real = await run(download(server.url));
    expect(real.code).toBe(0);
    expect(real.stdout).toContain(`SERVER_FINGERPRINT='${server.fingerprint}'`);
    expect(real.stdout).toContain(`SERVED_BY='${server.url}'`);
  });
});
