/**
 * The agent's identity across dials to one server: what to present next (./choose-secret.ts), what
 * a refusal or a welcome teaches (the server's control plane, a credential that is unknown there or
 * revoked, a credential just issued, saved before anything else), and when to redial at once.
 */
import { AGENT_HEADERS, CLOSE_CODES } from "../../protocol/agent-wire";
import { CONTROL_PLANE_PATTERN, REFUSAL_CODES, refusalBodySchema } from "../../protocol/agent-identity";
import type { Logger } from "../../lib/logger";
import { chooseSecret, type Presentation } from "./choose-secret";
import type { CredentialStore } from "./credential-store";

/** Redials at once after the server named its control plane (at most this many in a row). */
const MAX_QUICK_REDIALS = 2;

export interface AgentIdentity {
  /** Headers for the next dial, or a reason why there is nothing to present to this server. */
  next(): { headers: Record<string, string> } | { none: string };
  /** A refused upgrade: returns the line to log (null when it only taught the control plane) and whether to redial at once. */
  refused(status: number | undefined, body: string): { line: string | null; redialNow: boolean };
  /**
   * The welcome: saves a credential issued with it, or notes that this server accepts the one
   * presented. True when it saved an issued credential (the server is then told, which completes
   * the enrollment; one never confirmed is voided when the connection ends).
   */
  welcomed(controlPlane: string | undefined, credential: string | undefined): boolean;
  /** The server closed the socket on purpose: notes a revocation. */
  closed(code: number): void;
}

export function agentIdentity(opts: { serverUrl: string; name: string; token: string | null; credentials: CredentialStore | null; log: Logger }): AgentIdentity {
  const { credentials, name, serverUrl } = opts;
  /** The control plane the server said it belongs to (its last answer). */
  let controlPlane: string | null = null;
  let presented: Presentation | null = null;
  let quickRedials = 0;

  const choose = (): Presentation => {
    if (!credentials) return opts.token ? { kind: "token", secret: opts.token } : { kind: "none", reason: "--token is required" };
    return chooseSecret({ node: name, stored: credentials.list(name), serverUrl, controlPlane, token: opts.token });
  };
  const held = () => (presented?.kind === "credential" ? presented : null);

  return {
    next() {
      presented = choose();
      if (presented.kind === "none") {
        // Ask again next time: the server may by then be another control plane's.
        controlPlane = null;
        return { none: presented.reason };
      }
      const headers: Record<string, string> = {};
      if (presented.kind === "credential" || presented.kind === "token") headers[AGENT_HEADERS.token] = `Bearer ${presented.secret}`;
      if (presented.kind === "credential") headers[AGENT_HEADERS.controlPlane] = presented.controlPlane;
      return { headers };
    },

    refused(status, body) {
      let reason = body.slice(0, 300);
      let code: string | null = null;
      try {
        const parsed = refusalBodySchema.safeParse(JSON.parse(body));
        if (parsed.success) {
          ({ code, message: reason } = parsed.data.error);
          if (parsed.data.error.controlPlane) controlPlane = parsed.data.error.controlPlane;
        }
      } catch { /* not JSON: keep the raw text */ }
      const credential = held();
      if (code === REFUSAL_CODES.unknownCredential && credential) {
        // Unknown to the very control plane that issued it: the enrollment was never completed (the
        // agent saved it but the server did not hear so, and voided it). It is dead: the token enrolls
        // again. Unknown to another control plane: this server is simply not of that credential's.
        if (controlPlane === credential.controlPlane) credentials?.forget(credential.controlPlane, name);
        else credentials?.noteServer(credential.controlPlane, name, serverUrl, false);
      }
      if (code === REFUSAL_CODES.credentialRevoked && credential) credentials?.markRevoked(credential.controlPlane, name);
      const learned = code === REFUSAL_CODES.credentialRequired || code === REFUSAL_CODES.unknownCredential || code === REFUSAL_CODES.credentialRevoked;
      const redialNow = learned && quickRedials < MAX_QUICK_REDIALS;
      if (redialNow) quickRedials += 1;
      const line = redialNow && code === REFUSAL_CODES.credentialRequired ? null : `server refused the agent (HTTP ${status}): ${reason}`;
      return { line, redialNow };
    },

    welcomed(plane, credential) {
      quickRedials = 0;
      if (!plane || !CONTROL_PLANE_PATTERN.test(plane) || !credentials) return false;
      controlPlane = plane;
      try {
        if (credential) {
          const file = credentials.save({ controlPlane: plane, node: name, credential, servers: [serverUrl] });
          opts.log.info({ controlPlane: plane, file }, "enrolled: this node's credential is saved and presented from now on");
          return true;
        }
        if (held()) credentials.noteServer(plane, name, serverUrl, true);
      } catch (err) {
        opts.log.error({ err: (err as Error).message, dir: credentials.dir }, `could not save this node's credential: the server forgets it when this connection ends, and ${name} enrolls again (with its token) on every reconnect until it can. Fix the state directory (SWITCHYARD_AGENT_STATE)`);
      }
      return false;
    },

    closed(code) {
      const credential = held();
      if (code === CLOSE_CODES.revoked && credential) credentials?.markRevoked(credential.controlPlane, name);
    },
  };
}
