/**
 * X-Forwarded-For is a header anyone can send. It names the client only when the connection comes
 * from a proxy the operator trusts (SWITCHYARD_TRUSTED_PROXIES), and then only past the trusted hops:
 * otherwise an agent could give its deployments someone else's address, and a guesser could spread
 * sign-in attempts over made-up addresses.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "../../server/config/env";
import { clientAddressResolver } from "../../server/http/forwarded";

describe("X-Forwarded-For", () => {
  const none = clientAddressResolver([]);
  const nginx = clientAddressResolver(["10.0.0.2", "::1"]);

  it("is ignored from a peer that is not a trusted proxy", () => {
    expect(none("::ffff:192.168.1.50", "10.9.9.9")).toBe("192.168.1.50");
    expect(nginx("192.168.1.50", "10.9.9.9")).toBe("192.168.1.50");
  });

  it("names the client behind a trusted proxy: the rightmost address no trusted proxy added", () => {
    expect(nginx("::ffff:10.0.0.2", "192.168.1.50")).toBe("192.168.1.50");
    // A client that sends its own header first cannot choose what the proxy appended.
    expect(nginx("10.0.0.2", "6.6.6.6, 192.168.1.50")).toBe("192.168.1.50");
    expect(nginx("10.0.0.2", "192.168.1.50, 10.0.0.2")).toBe("192.168.1.50");
    expect(nginx("::1", "192.168.1.50")).toBe("192.168.1.50");
  });

  it.each([
    ["no header", undefined],
    ["a repeated header", ["1.2.3.4", "5.6.7.8"]],
    ["a name, not an address", "evil.example.com"],
    ["garbage", "<script>"],
    ["only trusted hops", "10.0.0.2"],
    ["a header longer than any proxy chain", `${"1.2.3.4, ".repeat(200)}1.2.3.4`],
  ])("falls back to the proxy's own address on %s", (_what, header) => {
    expect(nginx("10.0.0.2", header as string | string[] | undefined)).toBe("10.0.0.2");
  });

  it("SWITCHYARD_TRUSTED_PROXIES takes IP addresses only", () => {
    const env = (v?: string): NodeJS.ProcessEnv => ({ NODE_ENV: "test", ...(v === undefined ? {} : { SWITCHYARD_TRUSTED_PROXIES: v }) });
    expect(loadEnv(env("10.0.0.2, ::1")).SWITCHYARD_TRUSTED_PROXIES).toEqual(["10.0.0.2", "::1"]);
    expect(loadEnv(env()).SWITCHYARD_TRUSTED_PROXIES).toEqual([]);
    expect(() => loadEnv(env("10.0.0.0/8"))).toThrow(ConfigError);
    expect(() => loadEnv(env("nginx.lan"))).toThrow(/SWITCHYARD_TRUSTED_PROXIES: must be comma-separated IP addresses/);
    expect(() => loadEnv(env(Array(40).fill("10.0.0.1").join(",")))).toThrow(/more than 32/);
  });
});
