/** A throwaway PostgreSQL cluster and database for a bench, and the CPU of all its processes. */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { ensureCluster, makeRunDir, removeRunDir } from "../tests/helpers/postgres-cluster";
import { childPids, readProc } from "./proc-stats";

export interface BenchPostgres {
  url: string;
  /** CPU seconds of the postmaster, its live children and the ones it reaped. */
  cpuS(): number;
  remove(): void;
}

export async function benchPostgres(database = "bench"): Promise<BenchPostgres> {
  const runDir = makeRunDir();
  const cluster = await ensureCluster(runDir);
  const admin = new pg.Client({ connectionString: cluster.url("postgres") });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const postmaster = Number(fs.readFileSync(path.join(runDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
  // The postmaster, its live children (backends, writers), and the children that ended meanwhile.
  const cpuS = () => childPids(postmaster).reduce((sum, pid) => {
    try {
      return sum + readProc(pid).cpuS;
    } catch {
      return sum; // a backend that just ended: counted in the postmaster's reaped time
    }
  }, readProc(postmaster).cpuS + readProc(postmaster).reapedChildrenCpuS);
  return { url: cluster.url(database), cpuS, remove: () => removeRunDir(runDir) };
}
