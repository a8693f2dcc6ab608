/**
 * What the agent presents on its next dial (pure). Its own credential for the server's control
 * plane when it has one; otherwise its token, to enroll. When it cannot tell which control plane
 * a server belongs to but holds credentials, it first asks (a dial without a secret, answered with
 * the control plane's id), so that it never spends its token on a name it already holds, and never
 * shows a credential to a server of another control plane.
 */
import { JOIN_TOKEN_PREFIX } from "../../protocol/agent-identity";
import type { StoredCredential } from "./credential-store";

export type Presentation =
  | { kind: "credential"; secret: string; controlPlane: string }
  | { kind: "token"; secret: string }
  | { kind: "probe" }
  | { kind: "none"; reason: string };

export function chooseSecret(input: {
  node: string;
  stored: readonly StoredCredential[];
  serverUrl: string;
  /** The control plane the server said it is (its last answer), when known. */
  controlPlane: string | null;
  token: string | null;
}): Presentation {
  const { node, stored, serverUrl, controlPlane, token } = input;
  const usable = stored.filter((c) => !c.revoked);
  const credential = (c: StoredCredential): Presentation => ({ kind: "credential", secret: c.credential, controlPlane: c.controlPlane });
  if (controlPlane) {
    const own = usable.find((c) => c.controlPlane === controlPlane);
    if (own) return credential(own);
    if (stored.some((c) => c.controlPlane === controlPlane)) {
      // Removed in the dashboard: coming back takes a deliberate new join token, not the enrollment
      // token this agent may still hold (or it would be back the moment it was removed).
      if (token?.startsWith(JOIN_TOKEN_PREFIX)) return { kind: "token", secret: token };
      return { kind: "none", reason: `node ${node} was removed from this Switchyard (its credential is revoked): to add it again, start the agent with a new join token from the dashboard (Add a GPU box)` };
    }
    if (token) return { kind: "token", secret: token };
    return { kind: "none", reason: `this server (control plane ${controlPlane}) has no credential for ${node} here, and the agent has no token: give --token, SWITCHYARD_AGENT_TOKEN or --token-file` };
  }
  const known = usable.find((c) => c.servers.includes(serverUrl));
  if (known) return credential(known);
  if (stored.length > 0) return { kind: "probe" };
  if (token) return { kind: "token", secret: token };
  return { kind: "none", reason: "--token is required (see 'Add a GPU box' in the dashboard)" };
}
