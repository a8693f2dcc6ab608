/**
 * Encryption of secrets at rest (HF token, engine API keys, alert channel URLs): values are sealed
 * with a key kept apart from the database (a 0600 key file in SWITCHYARD_DATA, or
 * SWITCHYARD_SECRET_KEY), so a copy of the database alone reveals none of them.
 */
export interface SecretBox {
  /** An opaque, self-describing string safe to store in the database. */
  seal(plain: string): string;
  /** The plain value; throws when the value was sealed with another key or was tampered with. */
  open(sealed: string): string;
}
