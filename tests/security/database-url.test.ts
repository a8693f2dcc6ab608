/**
 * SWITCHYARD_DATABASE_URL (and db:copy's --to, validated by the same schema) is operator input,
 * but it carries a password: it is bounded, checked before anything is opened, and neither the
 * refusal nor the "unreachable" messages ever repeat the password.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "../../server/config/env";
import { classifyPgError, describeDatabaseUrl } from "../../server/db/pg-client";

const SECRET = "pa55-w0rd-never-shown";
const env = (url: string): NodeJS.ProcessEnv => ({ NODE_ENV: "test", SWITCHYARD_DATABASE_URL: url });
const refusal = (url: string) => {
  try {
    loadEnv(env(url));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  return null;
};

describe("SWITCHYARD_DATABASE_URL", () => {
  it("accepts postgres:// and postgresql:// URLs, and an empty value as unset", () => {
    expect(loadEnv(env(`postgres://sy:${SECRET}@db.lan:5432/sy`)).SWITCHYARD_DATABASE_URL).toContain("db.lan");
    expect(loadEnv(env("postgresql://sy@10.0.0.5/sy?sslmode=require")).SWITCHYARD_DATABASE_URL).toBeDefined();
    expect(loadEnv(env("postgres:///sy?host=/var/run/postgresql")).SWITCHYARD_DATABASE_URL).toBeDefined();
    expect(loadEnv(env("")).SWITCHYARD_DATABASE_URL).toBeUndefined();
  });

  it.each([
    ["a huge value", `postgres://sy:${SECRET}@h/${"x".repeat(100_000)}`, /longer than 2048 characters/],
    ["another scheme", `mysql://root:${SECRET}@db/sy`, /has the scheme mysql: but must look like postgres:\/\//],
    ["a file URL", "file:///etc/passwd", /has the scheme file:/],
    ["no database", `postgres://sy:${SECRET}@db.lan:5432/`, /names no database/],
    ["no host", `postgres://sy:${SECRET}@/sy`, /(names no host|is not a URL)/],
    ["not a URL", `db.lan/${SECRET}`, /is not a URL/],
    ["control characters", `postgres://sy:${SECRET}@db.lan/sy\u0000\n`, /holds control characters/],
  ])("refuses %s, naming the variable and never the password", (_what, url, reason) => {
    const message = refusal(url) ?? "";
    expect(message).toMatch(/SWITCHYARD_DATABASE_URL/);
    expect(message).toMatch(reason);
    expect(message).not.toContain(SECRET);
    expect(message.length).toBeLessThan(500);
  });

  it("describes a database for messages without its password", () => {
    expect(describeDatabaseUrl(`postgres://sy:${SECRET}@db.lan:6543/switchyard`)).toBe("sy@db.lan:6543/switchyard");
    expect(describeDatabaseUrl("not a url")).toBe("(an unparsable URL)");
    const where = describeDatabaseUrl(`postgres://sy:${SECRET}@db.lan/sy`);
    for (const err of [{ code: "ECONNREFUSED" }, { code: "28P01", message: 'password authentication failed for user "sy"' }, { message: "timeout expired" }]) {
      expect(classifyPgError(err, where).reason).not.toContain(SECRET);
    }
  });
});
