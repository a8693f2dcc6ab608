/**
 * Claude Code itself for tests: its native binary from @anthropic-ai/claude-code (or
 * SWITCHYARD_CLAUDE_BIN), run as `claude -p …` with a throwaway HOME, pointed at a gateway.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { realComponentsRequired } from "./docker";
import { ROOT } from "./processes";

export const CLAUDE = [
  process.env.SWITCHYARD_CLAUDE_BIN,
  path.join(ROOT, "node_modules/@anthropic-ai/claude-code-linux-x64/claude"),
  path.join(ROOT, "node_modules/@anthropic-ai/claude-code-linux-x64-musl/claude"),
].find((p): p is string => !!p && fs.existsSync(p));

// Claude Code's first request is ~47,000 of the tiny model's byte tokens: about 25 s of prompt
// processing on a quiet 2-core machine, several times that on a busy one.
export const CLAUDE_TIMEOUT_MS = 240_000;

/** Null when Claude Code can run here, else why not (throws instead where real components are required). */
export function claudeSkipReason(): string | null {
  if (CLAUDE) return null;
  const why = "Claude Code's native binary is missing (npm i @anthropic-ai/claude-code)";
  if (realComponentsRequired()) throw new Error(why);
  return why;
}

export function runClaude(env: Record<string, string>, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(CLAUDE!, args, { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment that points Claude Code at a gateway: every model name it uses mapped, nothing else sent home. */
export function claudeEnv(opts: { home: string; baseUrl: string; key: string; model: string; haiku?: string; timeoutMs?: number }): Record<string, string> {
  const haiku = opts.haiku ?? "claude-haiku-4-5";
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: opts.home,
    ANTHROPIC_BASE_URL: opts.baseUrl,
    ANTHROPIC_AUTH_TOKEN: opts.key,
    ANTHROPIC_MODEL: opts.model,
    ANTHROPIC_DEFAULT_SONNET_MODEL: opts.model,
    ANTHROPIC_DEFAULT_OPUS_MODEL: opts.model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: haiku,
    CLAUDE_CODE_SUBAGENT_MODEL: haiku,
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_MAX_RETRIES: "2",
    API_TIMEOUT_MS: String(opts.timeoutMs ?? CLAUDE_TIMEOUT_MS),
  };
}
