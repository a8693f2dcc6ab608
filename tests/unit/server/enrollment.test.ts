import { describe, expect, it } from "vitest";
import { agentCommand, serverUrlChoices } from "../../../protocol/enrollment";
import { createApi } from "../../../server/api/app";
import { createAuth } from "../../../server/core/auth";
import { createSessions } from "../../../server/core/sessions";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { createFleet } from "../../../server/core/fleet";
import { createHistory } from "../../../server/core/history";
import { createIdentity } from "../../../server/core/identity/identity";
import { openMemoryDatabase } from "../../../server/db/client";
import { identityRepo } from "../../../server/db/repos/identity-repo";
import { nodesRepo } from "../../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { lanAddresses } from "../../../server/lan-addresses";
import { agentEnvironment } from "../../../server/local-agents";

const FP = "sha256:" + "ab".repeat(32);

describe("the commands that add a box", () => {
  it("builds the npx form, pinning an https:// server's certificate when it has one", () => {
    expect(agentCommand("http://h:3000/", "syj_t", null)).toBe("npx switchyard-agent --server http://h:3000 --token syj_t");
    expect(agentCommand("https://h:3000", "syj_t", FP)).toBe(`npx switchyard-agent --server https://h:3000 --token syj_t --fingerprint ${FP}`);
    // A fingerprint pins TLS: with plain http it would only make the agent refuse to start.
    expect(agentCommand("http://h:3000", "syj_t", FP)).toBe("npx switchyard-agent --server http://h:3000 --token syj_t");
  });

  it("offers the server's LAN addresses when the browser came in through localhost", () => {
    const lan = ["192.168.1.20", "fd00::5"];
    expect(serverUrlChoices({ protocol: "http:", hostname: "localhost", port: "3000" }, lan))
      .toEqual(["http://192.168.1.20:3000", "http://[fd00::5]:3000", "http://localhost:3000"]);
    expect(serverUrlChoices({ protocol: "http:", hostname: "127.0.0.1", port: "3000" }, lan)[0]).toBe("http://192.168.1.20:3000");
    expect(serverUrlChoices({ protocol: "https:", hostname: "gpu.lan", port: "" }, lan)).toEqual(["https://gpu.lan"]);
  });

  it("finds the non-internal interfaces, IPv4 first, without link-local IPv6", () => {
    const ifaces = {
      lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
      eth0: [{ address: "fe80::1", family: "IPv6", internal: false }, { address: "fd00::5", family: "IPv6", internal: false }, { address: "192.168.1.20", family: "IPv4", internal: false }],
    } as never;
    expect(lanAddresses(ifaces)).toEqual(["192.168.1.20", "fd00::5"]);
  });

  it("serves the enrollment info with LAN addresses and the TLS fingerprint", async () => {
    const db = openMemoryDatabase();
    const settings = settingsRepo(db);
    const auth = await createAuth(settings, { adminToken: "admin-token-for-tests" });
    const identity = await createIdentity({ repo: identityRepo(db), settings });
    const api = createApi({
      auth, sessions: createSessions(sessionsRepo(db)), fleet: await createFleet(nodesRepo(db)), history: createHistory(samplesRepo(db)), isReady: () => true,
      hubStats: () => ({ connected: 0, messages: 0, malformed: 0, refused: 0, liveClients: 0 }),
      identity, tlsFingerprint: () => FP, tlsCurlPin: () => "sha256//PIN=", lanAddresses: () => ["192.168.1.20"],
    });
    const headers = { authorization: "Bearer admin-token-for-tests", host: "localhost:3000" };
    const info = (await (await api.request("https://localhost:3000/api/enrollment", { headers })).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ lanAddresses: ["192.168.1.20"], fingerprint: FP, curlPin: "sha256//PIN=", controlPlane: identity.controlPlane, tokenFromEnv: false });
    expect(info.command).toBe(`npx switchyard-agent --server https://localhost:3000 --token ${info.agentToken} --fingerprint ${FP}`);
    expect((await api.request("/api/enrollment")).status).toBe(401);
  });
});

describe("a local agent's environment", () => {
  it("carries what an agent reads and nothing of the server's", () => {
    const env = agentEnvironment({
      PATH: "/usr/bin", HOME: "/root", DOCKER_HOST: "unix:///x.sock", SWITCHYARD_ADMIN_TOKEN: "a", SWITCHYARD_AGENT_TOKEN: "b",
      SWITCHYARD_SECRET_KEY: "c", ANTHROPIC_API_KEY: "d", SWITCHYARD_STANDIN_GPUS: "h100", SWITCHYARD_NVIDIA_SMI: "/bin/smi",
    }, { SWITCHYARD_AGENT_STATE: "/data/agents/box" });
    expect(env).toEqual({
      PATH: "/usr/bin", HOME: "/root", DOCKER_HOST: "unix:///x.sock", SWITCHYARD_STANDIN_GPUS: "h100", SWITCHYARD_NVIDIA_SMI: "/bin/smi",
      SWITCHYARD_AGENT_STATE: "/data/agents/box",
    });
  });
});
