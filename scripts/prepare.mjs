#!/usr/bin/env node
// Makes a fresh clone runnable: installs dependencies when missing or stale, and builds the
// dashboard when its sources changed since the last build. Node built-ins only: this runs before
// node_modules exists. Usage: node scripts/prepare.mjs [deps] [build]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const mtime = (p) => { try { return fs.statSync(path.join(root, p)).mtimeMs; } catch { return 0; } };

function newestUnder(dir) {
  let newest = 0;
  const walk = (abs) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const full = path.join(abs, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir));
  return newest;
}

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...extraEnv } });
  if (r.status !== 0) {
    process.stderr.write(`\n${cmd} ${args.join(" ")} failed (exit ${r.status}).\n`);
    process.exit(r.status ?? 1);
  }
}

export function ensureDeps() {
  const installed = mtime("node_modules/.package-lock.json");
  if (installed && installed >= mtime("package-lock.json") && installed >= mtime("package.json")) return;
  process.stdout.write("Installing dependencies (first start)…\n");
  run("npm", [fs.existsSync(path.join(root, "package-lock.json")) ? "ci" : "install", "--no-audit", "--no-fund"]);
}

export function ensureBuild() {
  const built = mtime(".next/BUILD_ID");
  const sources = Math.max(newestUnder("app"), newestUnder("protocol"), mtime("next.config.ts"), mtime("package-lock.json"));
  if (built && built >= sources) return;
  process.stdout.write("Building the dashboard…\n");
  run("npx", ["next", "build"], { NEXT_TELEMETRY_DISABLED: "1" });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const steps = process.argv.slice(2);
  if (steps.length === 0 || steps.includes("deps")) ensureDeps();
  if (steps.length === 0 || steps.includes("build")) ensureBuild();
}
