/**
 * The data directory holds the database, the secret key and caches: only the server's own user may
 * read it. Created 0700; an existing one (from an earlier version, or a restore) is tightened at
 * start: the directory and everything in it lose every group and other permission (so 0644 files
 * become 0600, 0755 folders 0700), owner bits are kept. Symbolic links are not followed.
 */
import fs from "node:fs";
import path from "node:path";

/** Enough for a data directory with a large HF cache; past it the rest is left (and said so). */
const MAX_ENTRIES = 50_000;

export interface TightenedPaths {
  /** Paths whose mode changed, relative to the data directory ("." for itself). */
  changed: string[];
  /** Paths it could not change (owned by another user): the server says so and carries on. */
  failed: string[];
  /** True when the walk stopped at MAX_ENTRIES. */
  truncated: boolean;
}

export function secureDataDir(dir: string): TightenedPaths {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const changed: string[] = [];
  const failed: string[] = [];
  let seen = 0;
  const rel = (p: string) => path.relative(dir, p) || ".";
  const walk = (p: string): boolean => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return true; // gone meanwhile
    }
    if (st.isSymbolicLink()) return true;
    if (++seen > MAX_ENTRIES) return false;
    if ((st.mode & 0o077) !== 0) {
      try {
        fs.chmodSync(p, st.mode & 0o700);
        changed.push(rel(p));
      } catch {
        failed.push(rel(p));
      }
    }
    if (!st.isDirectory()) return true;
    let names: string[] = [];
    try {
      names = fs.readdirSync(p);
    } catch {
      failed.push(rel(p));
    }
    return names.every((name) => walk(path.join(p, name)));
  };
  const complete = walk(dir);
  return { changed, failed, truncated: !complete };
}
