/**
 * Who may connect as which node. An agent presents one secret before the upgrade:
 *  - its own credential (`syn_…`): admitted as the node the credential is bound to, nothing else;
 *  - the enrollment token or a join token (`syj_…`): admitted to enroll a name that has no live
 *    credential; the credential is issued (and a join token spent) when it says hello.
 * Everything refused says why in words the agent prints, and names this control plane, so an
 * agent holding credentials of several can pick the right one.
 */
import { CREDENTIAL_PREFIX, JOIN_TOKEN_PREFIX, MAX_SECRET_LENGTH, NODE_NAME_PATTERN, REFUSAL_CODES, type RefusalCode } from "../../../protocol/agent-identity";
import type { IdentityRepo } from "../../db/repos/identity-repo";
import { hashSecret, newCredential, sameSecret } from "./agent-secrets";

export interface Refusal {
  status: 400 | 401 | 403;
  code: RefusalCode;
  message: string;
  controlPlane: string;
  /** Kept in the refused-attempts list (a bare probe for the control plane's id is not an attempt). */
  record: boolean;
}

export type Admission =
  | { ok: true; kind: "credential"; node: string; credentialId: string; /** Its enrollment is complete (see Identity.confirm). */ confirmed: boolean }
  /** `node` is null when the agent named itself only in its hello (older agents, raw clients). */
  | { ok: true; kind: "enroll"; via: "enrollment" | "join"; node: string | null; joinTokenId: string | null }
  | { ok: false; refusal: Refusal };

export interface Issued {
  credential: string;
  credentialId: string;
}

export interface AdmissionDeps {
  repo: IdentityRepo;
  controlPlane: string;
  /** The enrollment token as it is now (it may be rotated on any server of the control plane). */
  enrollmentToken(): Promise<string>;
  newId(): string;
  now(): number;
}

export function createAdmission(deps: AdmissionDeps) {
  const { repo, controlPlane } = deps;
  const refusal = (status: Refusal["status"], code: RefusalCode, message: string, record = true): Refusal =>
    ({ status, code, message, controlPlane, record });
  const refuse = (...args: Parameters<typeof refusal>): Admission => ({ ok: false, refusal: refusal(...args) });

  const nameTaken = (node: string) => refusal(403, REFUSAL_CODES.nameEnrolled,
    `node ${node} is already enrolled with its own credential, which this agent does not have. If this is that box and its ` +
    `credential was lost, remove ${node} in the dashboard and start the agent again; otherwise give this box another --name.`);

  async function admitToken(secret: string, node: string | null): Promise<Admission> {
    let joinTokenId: string | null = null;
    if (secret.startsWith(JOIN_TOKEN_PREFIX)) {
      const row = await repo.joinTokenByHash(hashSecret(secret));
      if (row?.usedAt) {
        return refuse(401, REFUSAL_CODES.joinTokenUsed, "this join token was already used: join tokens are single-use, make a new one in the dashboard (Add a GPU box)");
      }
      if (row && row.expiresAt <= deps.now()) {
        return refuse(401, REFUSAL_CODES.joinTokenExpired, `this join token expired at ${new Date(row.expiresAt).toISOString()}: make a new one in the dashboard (Add a GPU box)`);
      }
      joinTokenId = row?.id ?? null;
    }
    if (!joinTokenId && !sameSecret(secret, await deps.enrollmentToken())) {
      return refuse(401, REFUSAL_CODES.unauthorized, "the enrollment token was not accepted: copy it again from the dashboard (Add a GPU box)");
    }
    if (node && (await repo.activeCredential(node))) return { ok: false, refusal: nameTaken(node) };
    return { ok: true, kind: "enroll", via: joinTokenId ? "join" : "enrollment", node, joinTokenId };
  }

  return {
    /**
     * Decides on the upgrade request: `secret` from the Bearer header, `node` from the node header,
     * `claimedPlane` the control plane the agent believes issued its credential (for the message only).
     */
    async admit(secret: string | null, node: string | null, claimedPlane: string | null = null): Promise<Admission> {
      if (!secret) {
        return refuse(401, REFUSAL_CODES.credentialRequired, "present this node's credential or a token (--token, SWITCHYARD_AGENT_TOKEN or --token-file)", false);
      }
      if (node !== null && !NODE_NAME_PATTERN.test(node)) {
        return refuse(400, REFUSAL_CODES.badNodeName, "the node name must be letters, digits, '.', '_' or '-' (at most 128)");
      }
      if (secret.length > MAX_SECRET_LENGTH) return refuse(401, REFUSAL_CODES.unauthorized, "that token is not one this server issued");
      const credential = await repo.credentialByHash(hashSecret(secret));
      if (!credential) {
        // Not a credential of ours. A `syn_` secret is one of another control plane (or of a reset
        // database): say so distinctly, so the agent falls back to its token.
        if (secret.startsWith(CREDENTIAL_PREFIX)) {
          const why = claimedPlane && claimedPlane !== controlPlane
            ? `it was issued by control plane ${claimedPlane.slice(0, 80)}`
            : "it was issued by another control plane, or this server's database is new";
          return refuse(401, REFUSAL_CODES.unknownCredential,
            `this server (control plane ${controlPlane}) does not know this node's credential: ${why}. The agent enrolls again when it has a token.`);
        }
        return admitToken(secret, node);
      }
      if (credential.revokedAt !== null) {
        return refuse(403, REFUSAL_CODES.credentialRevoked,
          `node ${credential.node} was removed from Switchyard, which revoked its credential. To add this box again, start its agent with a join token from the dashboard (Add a GPU box).`);
      }
      if (node !== null && node !== credential.node) {
        return refuse(403, REFUSAL_CODES.credentialMismatch, `this credential belongs to node ${credential.node}, not ${node}: start the agent with --name ${credential.node}, or enroll ${node} with a token`);
      }
      return { ok: true, kind: "credential", node: credential.node, credentialId: credential.id, confirmed: credential.confirmedAt !== null };
    },

    /**
     * Issues the credential of a node admitted to enroll, once it said its name. A race lost to
     * another enrollment of the name (on any server) is refused, and a join token spent on it is
     * given back.
     */
    async enroll(admission: Extract<Admission, { kind: "enroll" }>, node: string): Promise<Issued | Refusal> {
      const now = deps.now();
      if (admission.joinTokenId && !(await repo.consumeJoinToken(admission.joinTokenId, node, now))) {
        return refusal(401, REFUSAL_CODES.joinTokenUsed, "this join token was used or expired meanwhile: join tokens are single-use, make a new one in the dashboard (Add a GPU box)");
      }
      const credential = newCredential();
      const credentialId = deps.newId();
      const inserted = await repo.insertCredential({ id: credentialId, node, secretHash: hashSecret(credential), via: admission.via, createdAt: now });
      if (!inserted) {
        if (admission.joinTokenId) await repo.releaseJoinToken(admission.joinTokenId);
        return nameTaken(node);
      }
      return { credential, credentialId };
    },
  };
}

export type AdmissionControl = ReturnType<typeof createAdmission>;
