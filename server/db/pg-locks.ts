/**
 * Advisory lock keys of this application on a shared PostgreSQL database, in one place so that
 * no two uses pick the same number. The high bits spell "SwYd"; keys stay below 2^53 (JS numbers).
 */
export const PG_LOCKS = {
  /** Held while a server applies migrations at start. */
  migrations: 0x5377_5964_0001,
} as const;
