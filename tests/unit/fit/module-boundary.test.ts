/**
 * fit/ is used by the CLI on a user's machine as well as by the server: it must not pull in the
 * server (its database, its errors, its config) through any import.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const fitDir = path.join(root, "fit");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);
}

describe("fit/ module boundary", () => {
  it("imports only fit/, protocol/, node: built-ins and packages", () => {
    const outside: string[] = [];
    for (const file of sources(fitDir)) {
      for (const [, spec] of readFileSync(file, "utf8").matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)"([^"]+)"/g)) {
        if (!spec!.startsWith(".")) continue;
        const target = path.relative(root, path.resolve(path.dirname(file), spec!));
        if (!target.startsWith(`fit${path.sep}`) && !target.startsWith(`protocol${path.sep}`)) outside.push(`${path.relative(root, file)} → ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
