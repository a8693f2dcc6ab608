/**
 * Attacks on agent identity, each played against the real hub over real sockets. Before per-node
 * credentials, anyone with the enrollment token could take any node name (online or not), pushing
 * the real agent out and receiving its deploy commands with the Hugging Face token and engine keys.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol/agent-wire";
import { AGENT_TOKEN, waitFor } from "../helpers/processes";
import { TEST_DIALECTS, skipReason, useDatabases } from "../helpers/databases";
import { startHubServer, type HubServer } from "../helpers/hub-server";
import { dialAgent, enrolledAgent, gpuSnapshot, type RawAgent } from "../helpers/raw-agent";

for (const dialect of TEST_DIALECTS) describe.skipIf(skipReason(dialect))(`agent identity under attack, on ${dialect}`, () => {
  const databases = useDatabases(dialect);
  let server: HubServer;
  const sockets: RawAgent[] = [];
  const track = <T extends { agent?: RawAgent } | RawAgent>(x: T): T => {
    sockets.push("ws" in x ? (x as RawAgent) : (x as { agent: RawAgent }).agent);
    return x;
  };

  /** A server of a new control plane (its own, empty database). */
  const serve = async (opts: Omit<Parameters<typeof startHubServer>[0], "target"> = {}) => startHubServer({ ...opts, target: await databases.target() });

  beforeEach(async () => {
    server = await serve();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await server.close();
  });

  /** The honest node answers requests: the way to see that it still holds its name. */
  const answerEverything = (agent: RawAgent, tag: string) => {
    agent.ws.on("message", (d) => {
      const m = JSON.parse(d.toString()) as { type: string; id: string };
      if (m.type === "request") agent.send({ type: "response", v: 1, id: m.id, ok: true, result: { from: tag } });
    });
  };

  it("refuses the enrollment token for an enrolled name while its node is online, and leaves the node alone", async () => {
    const honest = track(await enrolledAgent(server.wsUrl, "gpu-1", AGENT_TOKEN));
    answerEverything(honest.agent, "honest");

    const impostor = track(await dialAgent(server.wsUrl, { secret: AGENT_TOKEN, node: "gpu-1" }));
    expect(impostor.status).toBe(403);
    expect(impostor.refusal?.code).toBe("name_enrolled");
    expect(impostor.refusal?.message).toMatch(/already enrolled with its own credential/);

    // Named only in its hello (no node header): refused on the socket, not admitted as gpu-1.
    const sly = track(await dialAgent(server.wsUrl, { secret: AGENT_TOKEN }));
    expect(sly.status).toBe(101);
    sly.hello("gpu-1");
    expect((await sly.closed).code).toBe(CLOSE_CODES.refused);

    expect(honest.agent.isOpen()).toBe(true);
    expect(await server.hub.request("gpu-1", "ping", {})).toEqual({ from: "honest" });
  });

  it("refuses the enrollment token for an enrolled name while its node is offline", async () => {
    const honest = await enrolledAgent(server.wsUrl, "gpu-2", AGENT_TOKEN);
    honest.agent.close();
    await waitFor("gpu-2 offline", () => !server.hub.isConnected("gpu-2"));

    const impostor = track(await dialAgent(server.wsUrl, { secret: AGENT_TOKEN, node: "gpu-2" }));
    expect(impostor.status).toBe(403);
    expect(impostor.refusal?.code).toBe("name_enrolled");
    // Its own credential still works.
    const back = track(await dialAgent(server.wsUrl, { secret: honest.credential, node: "gpu-2" }));
    expect(back.status).toBe(101);
  });

  it("refuses another node's credential, with or without a node name", async () => {
    const a = track(await enrolledAgent(server.wsUrl, "box-a", AGENT_TOKEN));
    const b = track(await enrolledAgent(server.wsUrl, "box-b", AGENT_TOKEN));
    answerEverything(a.agent, "a");

    const stolen = track(await dialAgent(server.wsUrl, { secret: b.credential, node: "box-a" }));
    expect(stolen.status).toBe(403);
    expect(stolen.refusal?.code).toBe("credential_mismatch");

    // Without the header the credential admits box-b only: a hello as box-a is refused.
    const sly = track(await dialAgent(server.wsUrl, { secret: b.credential }));
    expect(sly.status).toBe(101);
    sly.hello("box-a");
    expect((await sly.closed).code).toBe(CLOSE_CODES.refused);
    expect(await server.hub.request("box-a", "ping", {})).toEqual({ from: "a" });
  });

  it("revokes a removed node's credential and cuts its socket; the name can then be enrolled again", async () => {
    const node = track(await enrolledAgent(server.wsUrl, "stolen-box", AGENT_TOKEN));
    node.agent.telemetry([{ ts: Date.now(), snapshot: gpuSnapshot(["GPU-s-0"], 100) }]);
    await waitFor("stolen-box online", () => server.fleet.get("stolen-box")?.gpus.length === 1);

    const removed = await server.call("DELETE", "/api/nodes/stolen-box");
    expect(removed.status).toBe(204);
    expect((await node.agent.closed).code).toBe(CLOSE_CODES.revoked);
    expect(server.fleet.get("stolen-box")).toBeNull();

    const again = track(await dialAgent(server.wsUrl, { secret: node.credential, node: "stolen-box" }));
    expect(again.status).toBe(403);
    expect(again.refusal?.code).toBe("credential_revoked");
    expect(again.refusal?.message).toMatch(/removed from Switchyard/);

    const fresh = track(await enrolledAgent(server.wsUrl, "stolen-box", AGENT_TOKEN));
    expect(fresh.credential).not.toBe(node.credential);
  });

  it("spends a join token once, and refuses it expired", async () => {
    let now = Date.now();
    await server.close();
    server = await serve({ now: () => now });
    const made = await server.call("POST", "/api/enrollment/join-tokens", {});
    expect(made.status).toBe(201);
    const first = track(await enrolledAgent(server.wsUrl, "joined-1", made.json.token));
    expect(first.credential).toMatch(/^syn_/);

    const reused = track(await dialAgent(server.wsUrl, { secret: made.json.token, node: "joined-2" }));
    expect(reused.status).toBe(401);
    expect(reused.refusal?.code).toBe("join_token_used");

    // Two sockets racing with one token: only one of them enrolls.
    const raced = (await server.call("POST", "/api/enrollment/join-tokens", {})).json.token as string;
    const [r1, r2] = await Promise.all([dialAgent(server.wsUrl, { secret: raced }), dialAgent(server.wsUrl, { secret: raced })]);
    track(r1);
    track(r2);
    r1.hello("race-1");
    r2.hello("race-2");
    await waitFor("one winner", () => (r1.messages.length > 0 || r2.messages.length > 0) && (!r1.isOpen() || !r2.isOpen()));
    expect([r1, r2].filter((r) => r.messages.some((m) => m.type === "welcome"))).toHaveLength(1);

    const late = (await server.call("POST", "/api/enrollment/join-tokens", { ttlMinutes: 5 })).json.token as string;
    now += 6 * 60_000;
    const expired = track(await dialAgent(server.wsUrl, { secret: late, node: "joined-3" }));
    expect(expired.status).toBe(401);
    expect(expired.refusal?.code).toBe("join_token_expired");
  });

  it("undoes an enrollment its agent never confirmed saving: the name and the join token are free again, the credential dead", async () => {
    // An agent killed between its welcome and writing the credential file holds nothing: the name
    // must not stay locked to a credential nobody has (the box could never come back by itself).
    const crashed = track(await dialAgent(server.wsUrl, { secret: AGENT_TOKEN, node: "crashed-box" }));
    crashed.hello("crashed-box");
    const lost = (await crashed.welcome()).credential!;
    crashed.close();
    await waitFor("crashed-box offline", () => !server.hub.isConnected("crashed-box"));
    await waitFor("its credential forgotten", async () => track(await dialAgent(server.wsUrl, { secret: lost, node: "crashed-box" })).refusal?.code === "unknown_credential");
    const back = track(await enrolledAgent(server.wsUrl, "crashed-box", AGENT_TOKEN));
    expect(back.credential).not.toBe(lost);

    // The same with a single-use join token: it is given back, and enrolls the box on its next try.
    const join = (await server.call("POST", "/api/enrollment/join-tokens", {})).json.token as string;
    const first = track(await dialAgent(server.wsUrl, { secret: join, node: "joined-crash" }));
    first.hello("joined-crash");
    await first.welcome();
    first.close();
    await waitFor("the join token given back", async () => (await server.call("GET", "/api/enrollment/join-tokens")).json.length === 1);
    track(await enrolledAgent(server.wsUrl, "joined-crash", join));

    // A confirmation from a socket that was issued nothing is refused: it cannot confirm anyone's.
    const other = track(await dialAgent(server.wsUrl, { secret: AGENT_TOKEN, node: "confirmer" }));
    other.send({ type: "credential-saved", v: 1 });
    other.hello("confirmer");
    await other.welcome();
    other.close();
    await waitFor("confirmer's enrollment undone", async () => track(await dialAgent(server.wsUrl, { secret: AGENT_TOKEN, node: "confirmer" })).status === 101);

    // Confirming again (a replayed or duplicated message) is refused and undoes nothing: the box keeps its credential.
    const twice = track(await enrolledAgent(server.wsUrl, "twice-box", AGENT_TOKEN));
    twice.agent.send({ type: "credential-saved", v: 1 });
    twice.agent.close();
    await waitFor("twice-box offline", () => !server.hub.isConnected("twice-box"));
    expect(track(await dialAgent(server.wsUrl, { secret: twice.credential, node: "twice-box" })).status).toBe(101);
  });

  // The agent wrote the file, but its confirmation went down with the connection: it dials again
  // with the credential (on this server, or on the next of its --server list), and the first
  // connection's close must not void what the agent now uses.
  /** Enrolls `node` on `server` without confirming, then comes back with the credential on `to`. */
  const enrollThenComeBack = async (to: HubServer, secret: string, node: string) => {
    const first = track(await dialAgent(server.wsUrl, { secret, node }));
    first.hello(node);
    const credential = (await first.welcome()).credential!;
    const again = track(await dialAgent(to.wsUrl, { secret: credential, node }));
    expect(again.status).toBe(101);
    again.hello(node);
    await again.welcome();
    return { first, again, credential };
  };

  it("keeps a credential whose 'saved' was lost when its agent comes back with it on the same server", async () => {
    const { first, again, credential } = await enrollThenComeBack(server, AGENT_TOKEN, "lost-save");
    expect((await first.closed).code).toBe(CLOSE_CODES.replaced);
    await new Promise((r) => setTimeout(r, 500)); // the replaced connection's close has been handled
    again.close();
    await waitFor("lost-save offline", () => !server.hub.isConnected("lost-save"));
    expect(track(await dialAgent(server.wsUrl, { secret: credential, node: "lost-save" })).status).toBe(101);
  });

  it("keeps a credential whose 'saved' was lost when its agent comes back with it on another server of the control plane", async () => {
    const second = await startHubServer({ target: server.target });
    try {
      const join = (await server.call("POST", "/api/enrollment/join-tokens", {})).json.token as string;
      const { first, credential } = await enrollThenComeBack(second, join, "moved-box");
      first.close();
      await waitFor("the first connection gone", () => !server.hub.isConnected("moved-box"));
      await new Promise((r) => setTimeout(r, 500)); // its close has been handled
      expect(track(await dialAgent(server.wsUrl, { secret: credential, node: "moved-box" })).status).toBe(101);
      // The join token stays spent: the enrollment was not undone.
      expect((await server.call("GET", "/api/enrollment/join-tokens")).json).toHaveLength(0);
    } finally {
      await second.close();
    }
  });

  it("keeps credentials working after the enrollment token is rotated, and refuses the old token", async () => {
    await server.close();
    server = await serve({ agentToken: null });
    const before = (await server.call("GET", "/api/enrollment")).json.agentToken as string;
    const node = await enrolledAgent(server.wsUrl, "rotor", before);
    node.agent.close();
    const rotated = await server.call("POST", "/api/enrollment/rotate");
    expect(rotated.status).toBe(200);
    expect(rotated.json.agentToken).not.toBe(before);
    expect(rotated.json.command).toContain(rotated.json.agentToken);

    const old = track(await dialAgent(server.wsUrl, { secret: before, node: "newcomer" }));
    expect(old.status).toBe(401);
    const cred = track(await dialAgent(server.wsUrl, { secret: node.credential, node: "rotor" }));
    expect(cred.status).toBe(101);
    const fresh = track(await enrolledAgent(server.wsUrl, "newcomer", rotated.json.agentToken));
    expect(fresh.credential).toMatch(/^syn_/);
  });

  it("answers a credential of another control plane with a distinct code naming this one", async () => {
    // Another control plane: its own database (on PostgreSQL, this file's database is shared, so a SQLite file).
    const other = await startHubServer();
    try {
      const elsewhere = await enrolledAgent(other.wsUrl, "roamer", AGENT_TOKEN);
      elsewhere.agent.close();
      const here = track(await dialAgent(server.wsUrl, { secret: elsewhere.credential, node: "roamer" }));
      expect(here.status).toBe(401);
      expect(here.refusal?.code).toBe("unknown_credential");
      expect(here.refusal?.controlPlane).toBe(server.identity.controlPlane);
      expect(server.identity.controlPlane).not.toBe(other.identity.controlPlane);
      // A probe without any secret learns the control plane, and is not an attempt on a name.
      const probe = track(await dialAgent(server.wsUrl, { node: "roamer" }));
      expect(probe.status).toBe(401);
      expect(probe.refusal).toMatchObject({ code: "credential_required", controlPlane: server.identity.controlPlane });
    } finally {
      await other.close();
    }
  });

  it("accepts a credential on every server of the control plane, and a revocation on one cuts the socket on another", async () => {
    const second = await startHubServer({ target: server.target, revalidateEveryMs: 100 });
    try {
      expect(second.identity.controlPlane).toBe(server.identity.controlPlane);
      const node = await enrolledAgent(server.wsUrl, "ha-box", AGENT_TOKEN);
      node.agent.close();
      const onSecond = track(await dialAgent(second.wsUrl, { secret: node.credential, node: "ha-box" }));
      expect(onSecond.status).toBe(101);
      onSecond.hello("ha-box");
      await onSecond.welcome();
      // The enrollment token cannot take the name on either server.
      expect((await dialAgent(second.wsUrl, { secret: AGENT_TOKEN, node: "ha-box" })).status).toBe(403);

      expect(await server.identity.revoke("ha-box")).toBe(true);
      expect((await onSecond.closed).code).toBe(CLOSE_CODES.revoked);
    } finally {
      await second.close();
    }
  });

  it("keeps refused attempts, bounded, with name, address and reason", async () => {
    await enrolledAgent(server.wsUrl, "victim", AGENT_TOKEN).then((x) => track(x));
    for (let i = 0; i < 3; i++) await dialAgent(server.wsUrl, { secret: AGENT_TOKEN, node: "victim" });
    await dialAgent(server.wsUrl, { secret: "guessed-token", node: "victim" });
    const list = await waitFor("refusals recorded", async () => {
      const r = await server.call("GET", "/api/enrollment/refusals");
      return r.json.length >= 2 ? r.json : null;
    });
    const taken = list.find((r: { code: string }) => r.code === "name_enrolled");
    expect(taken).toMatchObject({ node: "victim", address: "127.0.0.1", count: 3 });
    expect(list.find((r: { code: string }) => r.code === "unauthorized")).toMatchObject({ node: "victim", count: 1 });

    // Thousands of distinct names cannot grow the table without bound.
    await Promise.all(Array.from({ length: 260 }, (_, i) => dialAgent(server.wsUrl, { secret: "x", node: `n${i}` })));
    const after = await server.call("GET", "/api/enrollment/refusals");
    expect(after.json.length).toBeLessThanOrEqual(210);
  });

  it("refuses hostile node names and oversized secrets before the upgrade", async () => {
    for (const node of ["../../etc", "a".repeat(200), "-x", "box one"]) {
      const r = await dialAgent(server.wsUrl, { secret: AGENT_TOKEN, node });
      expect(r.status, node).toBe(400);
      expect(r.refusal?.code).toBe("bad_node_name");
    }
    const long = await dialAgent(server.wsUrl, { secret: "syn_" + "a".repeat(5000), node: "ok-name" });
    expect(long.status).toBe(401);
  });
});
