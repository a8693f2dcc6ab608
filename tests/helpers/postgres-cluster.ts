/**
 * A throwaway PostgreSQL cluster for one test run (shared/ENVIRONMENT.md, "PostgreSQL"): Debian's
 * binaries (scripts/test-deps/postgres.sh installs them), initdb into a temporary folder, its own
 * port and socket folder, trust auth on loopback, durability off (nothing here outlives the run).
 * PostgreSQL refuses to run as root, so as root the commands run as the `postgres` user.
 *
 * The folder is made by the run's global setup (tests/helpers/postgres-global-setup.ts), which
 * also stops and removes it at the end, on Ctrl-C, and, at the next run, after a run that was killed.
 * The cluster itself starts the first time a test file asks for a database, so runs that need none
 * do not pay for it.
 */
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./processes";
import { waitFor } from "./wait";

const run = promisify(execFile);

export const RUN_DIR_PREFIX = "switchyard-pg-";
const USER = "switchyard";

/** The newest installed server's bin folder, or null (SWITCHYARD_PG_BIN overrides). */
export function postgresBinDir(): string | null {
  if (process.env.SWITCHYARD_PG_BIN) return process.env.SWITCHYARD_PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(root, v, "bin")).find((dir) => fs.existsSync(path.join(dir, "initdb")));
  return found ?? null;
}

const asRoot = () => process.getuid?.() === 0;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs a shell command line as the cluster's owner: `postgres` when we are root, else ourselves. */
function shell(line: string): Promise<{ stdout: string; stderr: string }> {
  return asRoot() ? run("su", ["postgres", "-s", "/bin/sh", "-c", line]) : run("/bin/sh", ["-c", line]);
}

function shellSync(line: string): void {
  execFileSync(asRoot() ? "su" : "/bin/sh", asRoot() ? ["postgres", "-s", "/bin/sh", "-c", line] : ["-c", line], { stdio: "ignore", timeout: 20_000 });
}

interface ClusterInfo {
  port: number;
}

const infoFile = (runDir: string) => path.join(runDir, "cluster.json");

/** Makes the run's folder, owned by the cluster's user (called by the global setup). */
export function makeRunDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), RUN_DIR_PREFIX));
  fs.chmodSync(dir, 0o755);
  if (asRoot() && postgresBinDir()) {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
    fs.chownSync(dir, id("-u"), id("-g"));
  }
  fs.writeFileSync(path.join(dir, "owner.pid"), String(process.pid));
  return dir;
}

const serverOptions = (runDir: string, port: number) =>
  `-p ${port} -k ${runDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;

const pgCtl = (runDir: string, bin: string, args: string) =>
  shell(`${quote(path.join(bin, "pg_ctl"))} -D ${quote(path.join(runDir, "data"))} ${args} >/dev/null`);

async function initAndStart(runDir: string, bin: string): Promise<ClusterInfo> {
  const data = path.join(runDir, "data");
  await shell(`${quote(path.join(bin, "initdb"))} -D ${quote(data)} -A trust -U ${USER} -E UTF8 --no-sync >/dev/null`);
  // The port is chosen free but can be taken before PostgreSQL binds it: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await pgCtl(runDir, bin, `-o ${quote(serverOptions(runDir, port))} -l ${quote(path.join(runDir, "log"))} -w -t 60 start`);
      return { port };
    } catch (err) {
      const log = fs.existsSync(path.join(runDir, "log")) ? fs.readFileSync(path.join(runDir, "log"), "utf8") : "";
      if (attempt >= 5 || !/could not bind|Address already in use/i.test(log)) {
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n--- ${runDir}/log ---\n${log.slice(-2000)}`);
      }
    }
  }
}

/**
 * The run's cluster, started on first use. Several test files (workers) may ask at once: the
 * first to create the lock folder starts it, the others wait for cluster.json.
 */
export async function ensureCluster(runDir: string): Promise<{ port: number; url: (db: string) => string }> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed: run scripts/install-test-deps.sh (or apt-get install -y postgresql)");
  const describe = (info: ClusterInfo) => ({ port: info.port, url: (db: string) => `postgres://${USER}@127.0.0.1:${info.port}/${db}` });
  let starter = false;
  try {
    fs.mkdirSync(path.join(runDir, "starting"));
    starter = true;
  } catch {
    // another worker starts it
  }
  if (starter) {
    const info = await initAndStart(runDir, bin);
    fs.writeFileSync(infoFile(runDir), JSON.stringify(info));
    return describe(info);
  }
  await waitFor(`the test PostgreSQL cluster in ${runDir} (another test file starts it)`, () => fs.existsSync(infoFile(runDir)), 120_000);
  return describe(JSON.parse(fs.readFileSync(infoFile(runDir), "utf8")) as ClusterInfo);
}

/**
 * Fault tests on a cluster of their own (not the run's, which other files use): `pg_ctl restart -m
 * fast` as an operator would, or a stop and a start on the same port with an outage in between.
 */
export async function controlCluster(runDir: string, action: "restart" | "stop" | "start"): Promise<void> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed");
  if (action === "restart") return void (await pgCtl(runDir, bin, `-m fast -w -t 60 -l ${quote(path.join(runDir, "log"))} restart`));
  if (action === "stop") return void (await pgCtl(runDir, bin, "-m fast -w -t 60 stop"));
  const { port } = JSON.parse(fs.readFileSync(infoFile(runDir), "utf8")) as ClusterInfo;
  await pgCtl(runDir, bin, `-o ${quote(serverOptions(runDir, port))} -l ${quote(path.join(runDir, "log"))} -w -t 60 start`);
}

/** Stops the cluster (if it was started) and removes the folder. Synchronous: it also runs on exit. */
export function removeRunDir(runDir: string): void {
  const bin = postgresBinDir();
  const data = path.join(runDir, "data");
  if (bin && fs.existsSync(path.join(data, "postmaster.pid"))) {
    try {
      shellSync(`${quote(path.join(bin, "pg_ctl"))} -D ${quote(data)} -m immediate -w stop`);
    } catch {
      // already stopped
    }
  }
  fs.rmSync(runDir, { recursive: true, force: true });
}

/** Folders left by runs that were killed before their teardown (their owner process is gone). */
export function staleRunDirs(): string[] {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  };
  return fs.readdirSync(os.tmpdir())
    .filter((name) => name.startsWith(RUN_DIR_PREFIX))
    .map((name) => path.join(os.tmpdir(), name))
    .filter((dir) => {
      let pid = 0;
      try {
        pid = Number(fs.readFileSync(path.join(dir, "owner.pid"), "utf8").trim());
      } catch {
        return false; // being made by a run starting now
      }
      return pid > 0 && !alive(pid);
    });
}
