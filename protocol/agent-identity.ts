/**
 * Agent identity on the wire (CONTRACT.md, "Agent identity and enrollment"): what an agent presents
 * before the upgrade, the shapes of the secrets, and the reasons a server refuses it. Shared by the
 * agent (which acts on the codes) and the server (which answers with them).
 *
 * Secrets are told apart by prefix: `syn_` a node's own credential, `syj_` a single-use join token;
 * anything else is compared with the enrollment token (which the operator may choose freely).
 */
import { z } from "zod";

export const CREDENTIAL_PREFIX = "syn_";
export const JOIN_TOKEN_PREFIX = "syj_";

/** Node names as the agent's `--name` accepts them: they become file names on the box. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A control plane's id: server-made, but checked on the agent before it names a directory. */
export const CONTROL_PLANE_PATTERN = /^cp_[A-Za-z0-9_-]{8,64}$/;
/** Longest secret a server reads from a header (credentials and join tokens are far shorter). */
export const MAX_SECRET_LENGTH = 512;

export const REFUSAL_CODES = {
  /** No secret was presented: the answer names the control plane, so the agent can pick its credential. */
  credentialRequired: "credential_required",
  /** Not this control plane's enrollment token, join token or credential. */
  unauthorized: "unauthorized",
  /** A credential this control plane does not know (another control plane, a reset database). */
  unknownCredential: "unknown_credential",
  /** The node was removed in the dashboard: its credential is void for good. */
  credentialRevoked: "credential_revoked",
  /** A credential presented for a node name other than its own. */
  credentialMismatch: "credential_mismatch",
  /** The name is enrolled: only that node's own credential takes it. */
  nameEnrolled: "name_enrolled",
  joinTokenExpired: "join_token_expired",
  joinTokenUsed: "join_token_used",
  badNodeName: "bad_node_name",
  protocolMismatch: "protocol_mismatch",
} as const;
export type RefusalCode = (typeof REFUSAL_CODES)[keyof typeof REFUSAL_CODES];

/** The JSON body of a refused upgrade. `controlPlane` lets the agent choose what to present next. */
export const refusalBodySchema = z.object({
  error: z.object({
    code: z.string().max(64),
    message: z.string().max(2000),
    controlPlane: z.string().regex(CONTROL_PLANE_PATTERN).optional(),
  }),
});
export type RefusalBody = z.infer<typeof refusalBodySchema>;
