import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { chooseSecret } from "../../../agents/identity/choose-secret";
import { agentIdentity } from "../../../agents/identity/agent-identity";
import { createLogger } from "../../../lib/logger";
import { createCredentialStore, type StoredCredential } from "../../../agents/identity/credential-store";

const CP_A = "cp_aaaaaaaaaaaa";
const CP_B = "cp_bbbbbbbbbbbb";
const URL = "http://10.0.0.2:3000";
const cred = (controlPlane: string, over: Partial<StoredCredential> = {}): StoredCredential =>
  ({ v: 1, controlPlane, node: "box", credential: `syn_${controlPlane}`, servers: [URL], savedAt: 1, ...over });

describe("what the agent presents", () => {
  const choose = (stored: StoredCredential[], controlPlane: string | null, token: string | null) =>
    chooseSecret({ node: "box", stored, serverUrl: URL, controlPlane, token });

  it.each([
    ["its credential for a server it knows", [cred(CP_A)], null, "tok", { kind: "credential", controlPlane: CP_A }],
    ["its token on first contact", [], null, "tok", { kind: "token", secret: "tok" }],
    ["a probe at an address it does not know, holding credentials", [cred(CP_A, { servers: [] })], null, "tok", { kind: "probe" }],
    ["the credential of the control plane the server named", [cred(CP_A, { servers: [] }), cred(CP_B, { servers: [] })], CP_B, null, { kind: "credential", controlPlane: CP_B }],
    ["its token at a control plane it holds nothing of", [cred(CP_A)], CP_B, "tok", { kind: "token" }],
    ["nothing, with a reason, when it has neither", [cred(CP_A)], CP_B, null, { kind: "none", reason: expect.stringMatching(/no credential for box/) }],
    ["nothing once removed, even holding the enrollment token", [cred(CP_A, { revoked: true })], CP_A, "enroll-token", { kind: "none", reason: expect.stringMatching(/removed/) }],
    ["a join token once removed", [cred(CP_A, { revoked: true })], CP_A, "syj_new", { kind: "token", secret: "syj_new" }],
    ["nothing and says so without token or credential", [], null, null, { kind: "none", reason: expect.stringMatching(/--token is required/) }],
  ])("%s", (_what, stored, plane, token, expected) => {
    expect(choose(stored as StoredCredential[], plane as string | null, token as string | null)).toMatchObject(expected);
  });
});

describe("the credential store", () => {
  it("keeps one private file per control plane and node, and never a path the server chose", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sy-cred-")), "state");
    const store = createCredentialStore(dir);
    const file = store.save({ controlPlane: CP_A, node: "box", credential: "syn_x", servers: [URL] });
    expect(file).toBe(path.join(dir, CP_A, "box.json"));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    store.noteServer(CP_A, "box", "http://other:3000", true);
    store.noteServer(CP_A, "box", URL, false);
    store.markRevoked(CP_A, "box");
    expect(store.list("box")).toEqual([expect.objectContaining({ servers: ["http://other:3000"], revoked: true })]);
    expect(store.list("other-node")).toEqual([]);
    expect(() => store.save({ controlPlane: "../../etc", node: "box", credential: "x", servers: [] })).toThrow(/not a valid/);
    expect(() => store.pathOf(CP_A, "../x")).toThrow(/not a valid/);

    // A directory others could read is tightened.
    fs.chmodSync(dir, 0o755);
    store.prepare();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe("a credential its server does not know", () => {
  const setup = () => {
    const store = createCredentialStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sy-cred-")), "state"));
    store.save({ controlPlane: CP_A, node: "box", credential: "syn_saved_but_never_confirmed", servers: [URL] });
    const id = agentIdentity({ serverUrl: URL, name: "box", token: "enroll-token", credentials: store, log: createLogger("test") });
    const unknown = (plane: string) => JSON.stringify({ error: { code: "unknown_credential", message: "does not know this node's credential", controlPlane: plane } });
    return { store, id, unknown };
  };
  const presented = (next: ReturnType<ReturnType<typeof agentIdentity>["next"]>) => ("headers" in next ? next.headers.authorization : next.none);

  // The agent saved what its welcome issued, but the server never heard so (the agent was killed,
  // the message lost) and voided it: presenting it again would be refused forever.
  it("is forgotten when its own control plane says so, and the token enrolls the box again", () => {
    const { store, id, unknown } = setup();
    expect(presented(id.next())).toBe("Bearer syn_saved_but_never_confirmed");
    expect(id.refused(401, unknown(CP_A)).redialNow).toBe(true);
    expect(presented(id.next())).toBe("Bearer enroll-token");
    expect(store.list("box")).toEqual([]);
  });

  it("is kept when another control plane says so: that server is just not its own", () => {
    const { store, id, unknown } = setup();
    id.next();
    id.refused(401, unknown(CP_B));
    expect(presented(id.next())).toBe("Bearer enroll-token");
    expect(store.list("box")).toEqual([expect.objectContaining({ controlPlane: CP_A, servers: [] })]);
  });
});
