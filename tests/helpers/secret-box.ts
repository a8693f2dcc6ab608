/**
 * TEST DOUBLE of the SecretBox (server/core/secret-box.ts) for tests only, until the AES-GCM box
 * lands: it does not encrypt. It marks sealed values and hides their text (base64) so tests can
 * tell that what is stored went through seal(), and that open() is what reads it back.
 */
import type { SecretBox } from "../../server/core/secret-box";

export const TEST_SEALED_PREFIX = "test-sealed:v1:";

export function testSecretBoxDouble(): SecretBox & { sealed: number } {
  const box = {
    sealed: 0,
    seal(plain: string) {
      box.sealed++;
      return TEST_SEALED_PREFIX + Buffer.from(plain, "utf8").toString("base64");
    },
    open(sealed: string) {
      if (!sealed.startsWith(TEST_SEALED_PREFIX)) throw new Error("not sealed by this box");
      return Buffer.from(sealed.slice(TEST_SEALED_PREFIX.length), "base64").toString("utf8");
    },
  };
  return box;
}
