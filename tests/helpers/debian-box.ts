/**
 * A clean Debian 12 box in a container (scripts/test-deps/debian-box.sh: curl, ca-certificates,
 * sudo, systemd's tools; no Node.js) for the agent installer. It shares this machine's network, so
 * the server under test is at 127.0.0.1; `withNode` bind-mounts this machine's node binary
 * read-only, as a box with Node.js installed.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { TEST_LABEL } from "./docker";

export const DEBIAN_BOX_IMAGE = process.env.SWITCHYARD_DEBIAN_BOX_IMAGE ?? "switchyard/debian-box:test";
export const BOX_LABEL = { [TEST_LABEL]: "agent-install" };

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface DebianBox {
  name: string;
  /** Runs `sh -c script` in the box as root. */
  sh(script: string, opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<ExecResult>;
  remove(): void;
}

export function startDebianBox(opts: { withNode: boolean }): DebianBox {
  const name = `sy-install-test-${randomBytes(4).toString("hex")}`;
  const node = fs.realpathSync(process.execPath);
  const args = ["run", "-d", "--rm", "--name", name, "--hostname", name, "--network", "host",
    ...Object.entries(BOX_LABEL).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    ...(opts.withNode ? ["-v", `${node}:/usr/bin/node:ro`] : []),
    DEBIAN_BOX_IMAGE, "sleep", "infinity"];
  const run = spawnSync("docker", args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`docker run failed: ${run.stderr}`);
  // As a real box resolves its own name (sudo warns otherwise); this /etc/hosts is the container's.
  spawnSync("docker", ["exec", name, "sh", "-c", `echo "127.0.1.1 ${name}" >>/etc/hosts`], { stdio: "ignore" });
  return {
    name,
    sh(script, { env = {}, timeoutMs = 120_000 } = {}) {
      return new Promise((resolve) => {
        const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
        const child = spawn("docker", ["exec", ...envArgs, name, "sh", "-c", script], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    },
    remove() {
      spawnSync("docker", ["rm", "-f", name], { stdio: "ignore" });
    },
  };
}
