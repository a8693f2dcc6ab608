/**
 * The agent as one file for GPU boxes (`GET /agent/switchyard-agent.mjs`): agents/cli.ts and all it
 * imports, bundled by esbuild into a single ESM file that needs Node.js 20+ and nothing else (no
 * node_modules, no tsx). Built from the sources on first request and kept in memory, so it always
 * matches the server that serves it and a fresh clone needs no build step for it.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { licenceNotices } from "./licences";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const MIN_NODE_MAJOR = 20;

export interface AgentBundle {
  code: Buffer;
  sha256: string;
  version: string;
}

/**
 * Runs before any bundled module: an older Node gets one line saying what to install instead of a
 * stack trace from deep inside a dependency. The CommonJS dependencies (ws, dockerode, pino) get the
 * `require`, `__filename` and `__dirname` they expect.
 */
const PRELUDE = `const __syNodeMajor = Number(process.versions.node.split(".")[0]);
if (__syNodeMajor < ${MIN_NODE_MAJOR}) {
  process.stderr.write("switchyard-agent needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js " + process.versions.node + " (" + process.execPath + ").\\n"
    + "Install Node.js ${MIN_NODE_MAJOR}+ (https://nodejs.org/en/download, or your distribution's nodejs package where it is ${MIN_NODE_MAJOR}+), then run this again.\\n");
  process.exit(1);
}
import { createRequire as __syCreateRequire } from "node:module";
import { fileURLToPath as __syFileURLToPath } from "node:url";
import { dirname as __syDirname } from "node:path";
const require = __syCreateRequire(import.meta.url);
const __filename = __syFileURLToPath(import.meta.url);
const __dirname = __syDirname(__filename);`;

export async function buildAgentBundle(): Promise<AgentBundle> {
  const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  // Loaded on the first install request, not by every server start.
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [path.join(root, "agents", "cli.ts")],
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${MIN_NODE_MAJOR}`,
    minify: true,
    write: false,
    logLevel: "silent",
    banner: { js: `#!/usr/bin/env node\n// switchyard-agent ${version}: one file, Node.js ${MIN_NODE_MAJOR}+. Third-party licences: at the end of the file.\n${PRELUDE}` },
    define: { SWITCHYARD_AGENT_VERSION: JSON.stringify(version) },
    // ssh2 (dockerode's ssh:// transport) tries optional native parts in try/catch and falls back
    // to JavaScript: leave them out; pino's worker-thread transports are never started by the agent.
    external: ["cpu-features", "*.node"],
    legalComments: "none",
    metafile: true,
  });
  const code = Buffer.concat([result.outputFiles[0]!.contents, Buffer.from(licenceNotices(root, Object.keys(result.metafile.inputs)))]);
  return { code, sha256: createHash("sha256").update(code).digest("hex"), version };
}

/** One build per server process, shared by concurrent requests; a failed build is tried again. */
export function agentBundleCache(make: () => Promise<AgentBundle> = buildAgentBundle): () => Promise<AgentBundle> {
  let pending: Promise<AgentBundle> | null = null;
  return () => {
    pending ??= make().catch((err: unknown) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}
