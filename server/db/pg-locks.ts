/**
 * Advisory lock keys of this application on a shared PostgreSQL database, in one place so that
 * no two uses pick the same number. The high bits spell "SwYd"; keys stay below 2^53 (JS numbers).
 */
export const PG_LOCKS = {
  /** Held while a server applies migrations at start. */
  migrations: 0x5377_5964_0001,
  /** Held by the leader of several servers (server/cluster/pg-cluster.ts) for as long as its connection lives. */
  leader: 0x5377_5964_0002,
} as const;

/**
 * The first key of the two-key (int4, int4) lock space, which never overlaps the one-key space
 * above: per-node decision locks are (NODE_LOCK_CLASS, hashtext(node)).
 */
export const NODE_LOCK_CLASS = 0x5377_5964;
