/**
 * A first `npm start` under npm 11 printed a screen of "install scripts not yet covered" warnings:
 * package.json's allowScripts must decide for every dependency that has an install script.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../../..");

describe("npm install scripts", () => {
  it("are all approved or denied in package.json, so installs are quiet", async () => {
    const { stdout } = await promisify(execFile)("npm", ["install-scripts", "ls"], { cwd: root });
    expect(stdout).toContain("No packages with unreviewed install scripts");
  });
});
