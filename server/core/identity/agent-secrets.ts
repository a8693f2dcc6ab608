/** The secrets of agent identity: how they are made, stored (SHA-256 only) and compared. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { CREDENTIAL_PREFIX, JOIN_TOKEN_PREFIX } from "../../../protocol/agent-identity";

export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");

const random = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString("base64url")}`;

/** 256 bits: a node's credential. */
export const newCredential = () => random(CREDENTIAL_PREFIX, 32);
/** 192 bits: a single-use join token (it also expires). */
export const newJoinToken = () => random(JOIN_TOKEN_PREFIX, 24);
/** The enrollment token's format when Switchyard makes one (the operator may set any). */
export const newEnrollmentToken = () => random("syg_", 24);
export const newControlPlaneId = () => random("cp_", 12);

/** Equal in constant time whatever the lengths (both sides are hashed first). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}
