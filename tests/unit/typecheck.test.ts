/** The whole project (server, agent, dashboard, tests) type-checks under strict mode. */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("TypeScript", () => {
  it("has no type errors (tsc --noEmit, strict)", () => {
    const r = spawnSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", root], { cwd: root, encoding: "utf8", timeout: 180_000 });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 200_000);
});
