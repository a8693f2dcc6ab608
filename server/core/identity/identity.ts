/**
 * Agent identity for one control plane: its stable id, the enrollment token (rotatable), join
 * tokens, node credentials (issued, provisioned for the server's own agents, revoked) and the
 * refused attempts. Everything lives in the database, nothing per process, so every server of a
 * control plane decides alike.
 */
import { randomUUID } from "node:crypto";
import type { AgentRefusalView, JoinTokenIssued, PendingJoinToken } from "../../../protocol/enrollment";
import type { IdentityRepo } from "../../db/repos/identity-repo";
import type { SettingsRepo } from "../../db/repos/settings-repo";
import { ServiceError } from "../errors";
import { createAdmission, type Admission, type Issued, type Refusal } from "./admission";
import { hashSecret, newControlPlaneId, newCredential, newEnrollmentToken, newJoinToken } from "./agent-secrets";

const SETTINGS = { controlPlane: "control_plane_id", enrollmentToken: "agent_token" } as const;
/** Refused-attempt rows kept (each counts repeats of one name, address and reason). */
export const REFUSALS_KEPT = 200;
/** Unused join tokens that may wait at once: enough for a rack, few enough to bound the table. */
export const MAX_PENDING_JOIN_TOKENS = 50;
const MAX_NAME_IN_LOG = 128;

export interface Identity {
  controlPlane: string;
  /** True when SWITCHYARD_AGENT_TOKEN sets the enrollment token (then it is changed there, not rotated). */
  tokenFromEnv: boolean;
  admit(secret: string | null, node: string | null, claimedPlane?: string | null): Promise<Admission>;
  enroll(admission: Extract<Admission, { kind: "enroll" }>, node: string): Promise<Issued | Refusal>;
  /** Of these credential ids, the ones not revoked (connected sockets are re-checked with it). */
  liveIds(ids: string[]): Promise<Set<string>>;
  /** Voids the node's credential; returns whether it had one. */
  revoke(node: string): Promise<boolean>;
  /**
   * Undoes an enrollment whose agent never confirmed saving its credential (gone before the
   * welcome, or killed before it wrote the file): the credential is forgotten, so the name can be
   * enrolled again, and a join token spent on it is given back. False when its agent confirmed it
   * meanwhile, here or on another server (it presented it there after this connection's "saved" was lost).
   */
  voidEnrollment(credentialId: string, joinTokenId: string | null): Promise<boolean>;
  /** The agent has its credential saved: it said so, or presented it. */
  confirm(credentialId: string): Promise<void>;
  enrollmentToken(): Promise<string>;
  rotateEnrollmentToken(): Promise<string>;
  createJoinToken(ttlMinutes: number): Promise<JoinTokenIssued>;
  pendingJoinTokens(): Promise<PendingJoinToken[]>;
  /**
   * A credential for an agent the server starts itself. `held` is the one it kept from a previous
   * start: reused while it is live. Null when the name is enrolled by another agent.
   */
  provision(node: string, held: string | null): Promise<string | null>;
  recordRefusal(refusal: Refusal, node: string | null, address: string): Promise<void>;
  refusals(): Promise<AgentRefusalView[]>;
}

export async function createIdentity(deps: {
  repo: IdentityRepo;
  settings: SettingsRepo;
  envToken?: string;
  now?: () => number;
}): Promise<Identity> {
  const { repo, settings } = deps;
  const now = deps.now ?? Date.now;
  const controlPlane = await settings.getOrCreate(SETTINGS.controlPlane, newControlPlaneId);
  const enrollmentToken = async () => deps.envToken ?? (await settings.getOrCreate(SETTINGS.enrollmentToken, newEnrollmentToken));
  const admission = createAdmission({ repo, controlPlane, enrollmentToken, newId: randomUUID, now });

  return {
    controlPlane,
    tokenFromEnv: deps.envToken !== undefined,
    admit: admission.admit,
    enroll: admission.enroll,
    liveIds: (ids) => repo.liveIds(ids),
    revoke: (node) => repo.revoke(node, now()),
    async voidEnrollment(credentialId, joinTokenId) {
      if (!(await repo.deleteUnconfirmed(credentialId))) return false;
      if (joinTokenId) await repo.releaseJoinToken(joinTokenId);
      return true;
    },
    confirm: (credentialId) => repo.confirmCredential(credentialId, now()),
    enrollmentToken,

    async rotateEnrollmentToken() {
      if (deps.envToken !== undefined) {
        throw new ServiceError("conflict", "the enrollment token is set by SWITCHYARD_AGENT_TOKEN: change it there and restart the server");
      }
      const token = newEnrollmentToken();
      await settings.set(SETTINGS.enrollmentToken, token);
      return token;
    },

    async createJoinToken(ttlMinutes) {
      const at = now();
      await repo.pruneJoinTokens(at);
      if ((await repo.pendingJoinTokens(at)).length >= MAX_PENDING_JOIN_TOKENS) {
        throw new ServiceError("conflict", `${MAX_PENDING_JOIN_TOKENS} join tokens are still unused: use them, or wait until they expire`);
      }
      const token = newJoinToken();
      const expiresAt = at + ttlMinutes * 60_000;
      await repo.insertJoinToken({ id: randomUUID(), tokenHash: hashSecret(token), createdAt: at, expiresAt });
      return { token, expiresAt };
    },

    async pendingJoinTokens() {
      return (await repo.pendingJoinTokens(now())).map(({ id, createdAt, expiresAt }) => ({ id, createdAt, expiresAt }));
    },

    async provision(node, held) {
      if (held) {
        const row = await repo.credentialByHash(hashSecret(held));
        if (row && row.node === node && row.revokedAt === null) return held;
      }
      const credential = newCredential();
      const inserted = await repo.insertCredential({ id: randomUUID(), node, secretHash: hashSecret(credential), via: "server", createdAt: now() });
      return inserted ? credential : null;
    },

    async recordRefusal(refusal, node, address) {
      if (!refusal.record) return;
      await repo.recordRefusal({ node: (node ?? "").slice(0, MAX_NAME_IN_LOG), address, code: refusal.code, message: refusal.message, lastAt: now() }, REFUSALS_KEPT);
    },

    refusals: () => repo.refusals(REFUSALS_KEPT),
  };
}
