/**
 * The agent's identity as a user lives it: the real agent (bin/switchyard-agent.mjs) enrolls with a
 * token, keeps its credential on disk (0600), presents it from then on (also with no token at all),
 * enrolls again at a control plane that does not know it, stays out once removed, and comes back
 * with a join token. The token can come from a file, out of the process list.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AGENT_TOKEN, freePort, startAgent, waitFor, type Proc } from "../helpers/processes";
import { startHubServer, type HubServer } from "../helpers/hub-server";

describe("agent identity end to end", () => {
  const agents: Proc[] = [];
  const servers: HubServer[] = [];
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    for (const s of servers.splice(0)) await s.close();
  });
  const serve = async (opts: Parameters<typeof startHubServer>[0] = {}) => {
    const s = await startHubServer(opts);
    servers.push(s);
    return s;
  };
  const run = (opts: Parameters<typeof startAgent>[0] & { noToken?: boolean }) => {
    const args = opts.noToken ? [] : undefined;
    const p = opts.noToken
      ? startAgent({ ...opts, token: "", env: { SWITCHYARD_AGENT_TOKEN: "", ...opts.env }, args })
      : startAgent(opts);
    agents.push(p);
    return p;
  };
  const online = (server: HubServer, name: string) => waitFor(`${name} online`, () => server.fleet.get(name)?.online && server.fleet.get(name)!.gpus.length > 0, 45_000);
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-agent-id-"));

  it("enrolls once, keeps its credential 0600 under SWITCHYARD_AGENT_STATE, and presents it from then on", async () => {
    const server = await serve();
    const state = tmp();
    const first = run({ server: server.url, name: "id-box", env: { SWITCHYARD_AGENT_STATE: state } });
    await online(server, "id-box");
    const file = path.join(state, server.identity.controlPlane, "id-box.json");
    await waitFor("the credential file", () => fs.existsSync(file));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(state).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { credential: string; node: string };
    expect(saved).toMatchObject({ node: "id-box", credential: expect.stringMatching(/^syn_/) });
    expect(first.text()).not.toContain(saved.credential);
    await first.stop();

    // No token at all: the stored credential is enough. And the enrollment token alone cannot take the name.
    await waitFor("id-box offline", () => server.fleet.get("id-box")?.online === false);
    const again = run({ server: server.url, name: "id-box", noToken: true, env: { SWITCHYARD_AGENT_STATE: state } });
    await online(server, "id-box");
    expect(again.text()).not.toMatch(/refused/);
    const impostor = run({ server: server.url, name: "id-box", env: { SWITCHYARD_AGENT_STATE: tmp() } });
    await waitFor("the impostor told why", () => /HTTP 403\): node id-box is already enrolled/.test(impostor.text()), 30_000);
    expect(server.fleet.get("id-box")?.online).toBe(true);
  });

  it("reads the token from --token-file, out of the process list", async () => {
    const server = await serve();
    const dir = tmp();
    const tokenFile = path.join(dir, "token");
    fs.writeFileSync(tokenFile, `${AGENT_TOKEN}\n`, { mode: 0o600 });
    const agent = run({ server: server.url, name: "file-box", token: "", args: ["--token-file", tokenFile], env: { SWITCHYARD_AGENT_TOKEN: "", SWITCHYARD_AGENT_STATE: path.join(dir, "state") } });
    await online(server, "file-box");
    const cmdline = fs.readFileSync(`/proc/${agent.child.pid}/cmdline`, "utf8");
    expect(cmdline).not.toContain(AGENT_TOKEN);
    expect(cmdline).toContain("--token-file");
  });

  it("enrolls again with its token at a server of another control plane, and asks a new address which control plane it is", async () => {
    const port = await freePort();
    const first = await serve({ port });
    const state = tmp();
    const a = run({ server: `http://127.0.0.1:${port}`, name: "mover", env: { SWITCHYARD_AGENT_STATE: state } });
    await online(first, "mover");
    await a.stop();
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    // A fresh database behind the same address: the stored credential is unknown there.
    const second = await serve({ port });
    expect(second.identity.controlPlane).not.toBe(first.identity.controlPlane);
    const b = run({ server: `http://127.0.0.1:${port}`, name: "mover", env: { SWITCHYARD_AGENT_STATE: state } });
    await online(second, "mover");
    expect(fs.readdirSync(state).sort()).toEqual([first.identity.controlPlane, second.identity.controlPlane].sort());
    await b.stop();

    // Same server under another name (localhost): no token, so the agent must ask before presenting.
    const c = run({ server: `http://localhost:${port}`, name: "mover", noToken: true, env: { SWITCHYARD_AGENT_STATE: state } });
    await online(second, "mover");
    expect(c.text()).not.toMatch(/refused the agent/);
  });

  it("stays out once removed, even holding the enrollment token, and comes back with a join token", async () => {
    const server = await serve();
    const state = tmp();
    const agent = run({ server: server.url, name: "retired", env: { SWITCHYARD_AGENT_STATE: state } });
    await online(server, "retired");
    expect((await server.call("DELETE", "/api/nodes/retired")).status).toBe(204);
    await waitFor("the agent told it was removed", () => /removed from (this )?Switchyard/.test(agent.text()), 30_000);
    expect(server.fleet.get("retired")).toBeNull();
    expect(agent.child.exitCode).toBeNull();
    await agent.stop();

    const join = (await server.call("POST", "/api/enrollment/join-tokens", {})).json.token as string;
    run({ server: server.url, name: "retired", token: join, env: { SWITCHYARD_AGENT_STATE: state } });
    await online(server, "retired");
  });
});
