/**
 * The data directory holds the database, the secret key, the TLS files and caches: only the
 * server's own user may read them. Created 0700; an existing one (from an earlier version, or a
 * restore) is tightened at start: the directory and the server's own entries in it lose every
 * group and other permission (so 0644 files become 0600, 0755 folders 0700), owner bits are kept.
 *
 * Only what the server keeps there is touched, and a shared directory (SWITCHYARD_DATA=/tmp, or one
 * of another user) keeps its own mode: what broke before was a test server started with /tmp as
 * its data directory, which made all of /tmp and every file in it owner-only for the whole machine.
 * Symbolic links are not followed.
 */
import fs from "node:fs";
import path from "node:path";

/** Enough for a data directory with a large HF cache; past it the rest is left (and said so). */
const MAX_ENTRIES = 50_000;

/**
 * What the server keeps in its data directory (db/sqlite-client.ts, config/secret-key.ts,
 * tls/server-tls.ts, core/fit/module.ts); anything else there is the user's and left alone.
 */
export const SERVER_ENTRIES = ["switchyard.db", "switchyard.db-wal", "switchyard.db-shm", "secret.key", "tls", "hf-cache"] as const;

export interface TightenedPaths {
  /** Paths whose mode changed, relative to the data directory ("." for itself). */
  changed: string[];
  /** Paths it could not change (owned by another user): the server says so and carries on. */
  failed: string[];
  /** True when the walk stopped at MAX_ENTRIES. */
  truncated: boolean;
  /** The directory is shared (sticky, writable by others, or another user's): its own mode was left as it is. */
  shared: boolean;
}

/** /tmp and the like: a directory others may write to, or that is not ours to close. */
function isShared(st: fs.Stats): boolean {
  const ours = process.getuid === undefined || st.uid === process.getuid();
  return !ours || (st.mode & 0o1000) !== 0 || (st.mode & 0o002) !== 0;
}

export function secureDataDir(dir: string): TightenedPaths {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const changed: string[] = [];
  const failed: string[] = [];
  let seen = 0;
  const rel = (p: string) => path.relative(dir, p) || ".";
  const tighten = (p: string, st: fs.Stats) => {
    if ((st.mode & 0o077) === 0) return;
    try {
      fs.chmodSync(p, st.mode & 0o700);
      changed.push(rel(p));
    } catch {
      failed.push(rel(p));
    }
  };
  const walk = (p: string): boolean => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return true; // absent, or gone meanwhile
    }
    if (st.isSymbolicLink()) return true;
    if (++seen > MAX_ENTRIES) return false;
    tighten(p, st);
    if (!st.isDirectory()) return true;
    let names: string[] = [];
    try {
      names = fs.readdirSync(p);
    } catch {
      failed.push(rel(p));
    }
    return names.every((name) => walk(path.join(p, name)));
  };
  const top = fs.statSync(dir); // SWITCHYARD_DATA may be a link to the real folder
  const shared = isShared(top);
  if (!shared) tighten(dir, top);
  const complete = SERVER_ENTRIES.every((name) => walk(path.join(dir, name)));
  return { changed, failed, truncated: !complete, shared };
}
