/**
 * Encryption of secrets at rest (HF token, engine API keys, alert channel URLs): values are sealed
 * with a key kept apart from the database (a 0600 key file in SWITCHYARD_DATA, or
 * SWITCHYARD_SECRET_KEY), so a copy of the database alone reveals none of them.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface SecretBox {
  /** An opaque, self-describing string safe to store in the database. */
  seal(plain: string): string;
  /** The plain value; throws when the value was sealed with another key or was tampered with. */
  open(sealed: string): string;
}

export const SECRET_KEY_BYTES = 32;
export const SECRET_KEY_FORMAT = `must be ${SECRET_KEY_BYTES} random bytes written as 64 hex digits or base64 (make one with: openssl rand -hex 32)`;
/** `sb1.<key id>.<base64url(iv | ciphertext | tag)>`: the key id names the key without revealing it. */
const PREFIX = "sb1.";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  constructor(message: string, readonly sealedWith: string | null) {
    super(message);
    this.name = "SecretBoxError";
  }
}

/** A short public name for a key (the first 8 hex digits of a hash of it), for error messages. */
export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update("switchyard-secret-key-id").update(key).digest("hex").slice(0, 8);
}

/** A key as people write it: 64 hex digits, or base64/base64url of 32 bytes; null otherwise. */
export function secretKeyFromText(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const bytes = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (bytes.length === SECRET_KEY_BYTES) return bytes;
  }
  return null;
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The key id a sealed value names, or null when it is not a sealed value. */
export function sealedKeyId(value: string): string | null {
  if (!isSealed(value)) return null;
  const dot = value.indexOf(".", PREFIX.length);
  return dot > 0 ? value.slice(PREFIX.length, dot) : null;
}

/** AES-256-GCM with a fresh random IV per value; the tag makes a wrong key or a changed byte an error. */
export function createSecretBox(key: Buffer): SecretBox & { keyId: string } {
  if (key.length !== SECRET_KEY_BYTES) throw new Error(`a secret key is ${SECRET_KEY_BYTES} bytes, not ${key.length}`);
  const keyId = keyIdOf(key);
  const aad = Buffer.from(`${PREFIX}${keyId}`);
  return {
    keyId,
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(aad);
      const body = Buffer.concat([iv, cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${keyId}.${body.toString("base64url")}`;
    },
    open(sealed) {
      const id = sealedKeyId(sealed);
      if (id === null) throw new SecretBoxError("not a sealed value", null);
      if (id !== keyId) throw new SecretBoxError(`sealed with key ${id}, not with this server's key ${keyId}`, id);
      const body = Buffer.from(sealed.slice(PREFIX.length + id.length + 1), "base64url");
      if (body.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError("sealed value is truncated", id);
      const decipher = createDecipheriv("aes-256-gcm", key, body.subarray(0, IV_BYTES));
      decipher.setAAD(aad);
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretBoxError("sealed value does not open with this key (changed or damaged)", id);
      }
    },
  };
}
