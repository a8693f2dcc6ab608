/**
 * What a local user, or anyone with a copy of the database, can read. What broke before: the data
 * directory was 0755 and the database 0644, and the database held the session key, the enrollment
 * token, the HF token and engine API keys in clear (a cookie forged from them was accepted).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { startDeployAgent } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { ADMIN_TOKEN, startServer, waitFor, type Proc, type TestServer } from "../helpers/processes";

const KEY_A = "a1".repeat(32);
const KEY_B = "b2".repeat(32);
const NODE = `at-rest-${process.pid}`;
const dockerSkip = await dockerSkipReason(TEST_IMAGE);

const dataDirs: string[] = [];
const newDataDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-at-rest-"));
  dataDirs.push(d);
  return d;
};
const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** Everything SQLite keeps for the database, as a backup or copy of the folder would have it. */
function databaseBytes(dataDir: string): Buffer {
  const files = fs.readdirSync(dataDir).filter((f) => f.startsWith("switchyard.db"));
  return Buffer.concat(files.map((f) => fs.readFileSync(path.join(dataDir, f))));
}

function expectNoneIn(bytes: Buffer, secrets: string[]): void {
  for (const s of secrets) expect(bytes.includes(Buffer.from(s)), `found ${s.slice(0, 6)}… in the database files`).toBe(false);
}

const putHfToken = (server: TestServer, value: string) =>
  server.api("/api/secrets/hf-token", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }) });

describe("secrets and files at rest", () => {
  const running: Array<TestServer | Proc> = [];
  afterAll(async () => {
    for (const r of running) await r.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("keeps the data directory 0700 and its files 0600, and corrects an existing one at start, saying so", async () => {
    const dataDir = newDataDir();
    fs.chmodSync(dataDir, 0o755);
    let server = await startServer({ dataDir });
    await server.stop();
    // As an earlier version left it: everything readable by every local user.
    fs.chmodSync(dataDir, 0o755);
    for (const f of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, f), 0o644);
    server = await startServer({ dataDir });
    running.push(server);
    expect(mode(dataDir)).toBe(0o700);
    const files = fs.readdirSync(dataDir);
    expect(files).toEqual(expect.arrayContaining(["switchyard.db", "switchyard.db-wal", "switchyard.db-shm", "secret.key"]));
    for (const f of files) expect(mode(path.join(dataDir, f)), f).toBe(0o600);
    expect(server.proc.text()).toMatch(/data directory was readable by other users: made it owner-only/);
    await server.stop();
  });

  it("seals the HF token, the enrollment token, alert channel URLs and sessions, so a copy of the database reveals none", async () => {
    const dataDir = newDataDir();
    const server = await startServer({ dataDir, env: { SWITCHYARD_AGENT_TOKEN: undefined } });
    running.push(server);
    const hfToken = `hf_${"q".repeat(12)}TopSecretHub`;
    expect((await putHfToken(server, hfToken)).status).toBe(204);
    const enrollment = (await (await server.api("/api/enrollment")).json()) as { agentToken: string };
    expect(enrollment.agentToken).toMatch(/^syg_/);
    const signIn = await fetch(`${server.url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
    const session = /sy_session=([^;]+)/.exec(signIn.headers.get("set-cookie") ?? "")![1]!;
    const channel = { name: "phone", url: "ntfy+http://127.0.0.1:9/topicAtRestSecret?token=tk_AtRestSecret" };
    expect((await server.api("/api/alerts/channels", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(channel) })).status).toBe(201);
    const secrets = [hfToken, enrollment.agentToken, session, ADMIN_TOKEN, "topicAtRestSecret", "tk_AtRestSecret"];
    expectNoneIn(databaseBytes(dataDir), secrets); // a copy taken while it runs
    await server.stop();
    expectNoneIn(databaseBytes(dataDir), secrets); // a backup of the stopped server
    expect(mode(path.join(dataDir, "secret.key"))).toBe(0o600);
    // The key file is all it takes to read them again: the same data directory starts as before.
    const again = await startServer({ dataDir, env: { SWITCHYARD_AGENT_TOKEN: undefined } });
    running.push(again);
    expect(((await (await again.api("/api/enrollment")).json()) as { agentToken: string }).agentToken).toBe(enrollment.agentToken);
    expect(await (await again.api("/api/secrets")).json()).toEqual({ hfToken: true });
    expect(await (await again.api("/api/alerts/channels")).json()).toMatchObject([{ name: "phone", problem: null }]);
    await again.stop();
  });

  it.skipIf(dockerSkip !== null)("seals a deployment's engine API key", async () => {
    const dataDir = newDataDir();
    const server = await startServer({ dataDir });
    running.push(server);
    const agent = startDeployAgent(server, NODE, { portRange: "28700-28749" });
    running.push(agent);
    await waitFor(`${NODE} online`, async () => ((await (await server.api("/api/nodes")).json()) as Array<{ name: string; online: boolean }>).some((n) => n.name === NODE && n.online), 30_000);
    const model = path.join(dataDir, "..", `${path.basename(dataDir)}-model`);
    fs.mkdirSync(model);
    dataDirs.push(model);
    await writeTinyLlamaGguf(path.join(model, "tiny.gguf"), { deterministicWord: "Pong" });
    const apiKey = "sk-engine-key-TopSecretEngine";
    const res = await server.api("/api/deployments", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ engine: "llamacpp", model: path.join(model, "tiny.gguf"), name: "sealed-key", node: NODE, gpus: "none", image: TEST_IMAGE, options: { apiKey } }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expectNoneIn(databaseBytes(dataDir), [apiKey]);
    expect((await server.api("/api/deployments/sealed-key", { method: "DELETE" })).status).toBeLessThan(300);
    await agent.stop();
    await server.stop();
    expectNoneIn(databaseBytes(dataDir), [apiKey]);
  });

  it("seals secrets an earlier version stored in clear, at start, leaving no copy in the file", async () => {
    const dataDir = newDataDir();
    const first = await startServer({ dataDir });
    await first.stop();
    // What an earlier version left: plain secrets, no key file, no key check.
    const db = new Database(path.join(dataDir, "switchyard.db"));
    const legacy = { hf: "hf_legacyPlainToken123", agent: "syg_legacyPlainEnrollment", sessionKey: "f00d".repeat(16) };
    db.prepare("delete from settings where key like 'secret%' or key = 'agent_token'").run();
    const put = db.prepare("insert or replace into settings (key, value) values (?, ?)");
    put.run("secret.hf_token", legacy.hf);
    put.run("agent_token", legacy.agent);
    put.run("session_key", legacy.sessionKey);
    db.close();
    fs.rmSync(path.join(dataDir, "secret.key"));
    expect(databaseBytes(dataDir).includes(Buffer.from(legacy.hf))).toBe(true);

    const server = await startServer({ dataDir, env: { SWITCHYARD_AGENT_TOKEN: undefined, LOG_LEVEL: "info" } });
    running.push(server);
    expect(server.proc.text()).toMatch(/sealed secrets an earlier version stored in clear/);
    expect(await (await server.api("/api/secrets")).json()).toEqual({ hfToken: true });
    expect(((await (await server.api("/api/enrollment")).json()) as { agentToken: string }).agentToken).toBe(legacy.agent);
    expectNoneIn(databaseBytes(dataDir), Object.values(legacy));
    await server.stop();
    expectNoneIn(databaseBytes(dataDir), Object.values(legacy));
  });

  it("refuses to start with a key that is not the one the secrets were sealed with, and says what to do", async () => {
    const dataDir = newDataDir();
    const server = await startServer({ dataDir, env: { SWITCHYARD_SECRET_KEY: KEY_A } });
    running.push(server);
    expect((await putHfToken(server, "hf_sealedWithKeyA")).status).toBe(204);
    await server.stop();
    expect(fs.existsSync(path.join(dataDir, "secret.key"))).toBe(false); // the key came from the environment
    await expect(startServer({ dataDir, env: { SWITCHYARD_SECRET_KEY: KEY_B } })).rejects.toThrow(
      /server exited with 2:[\s\S]*SWITCHYARD_SECRET_KEY \(key \w+\) is not the key this database's secrets were sealed with \(key \w+\)[\s\S]*same SWITCHYARD_SECRET_KEY/,
    );
    await expect(startServer({ dataDir })).rejects.toThrow(/has no secret\.key[\s\S]*Put the original secret\.key back there, or set SWITCHYARD_SECRET_KEY/);
    expect(fs.existsSync(path.join(dataDir, "secret.key"))).toBe(false); // the one that start made is gone again
    await expect(startServer({ dataDir, env: { SWITCHYARD_SECRET_KEY: "not-a-key" } })).rejects.toThrow(/SWITCHYARD_SECRET_KEY: must be 32 random bytes .*openssl rand -hex 32/);
    const right = await startServer({ dataDir, env: { SWITCHYARD_SECRET_KEY: KEY_A } });
    running.push(right);
    expect(await (await right.api("/api/secrets")).json()).toEqual({ hfToken: true });
    await right.stop();
  });
});
