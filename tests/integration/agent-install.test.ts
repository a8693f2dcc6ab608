/**
 * The one-line box install, as a user runs it: the dashboard's command (installCommand) in a clean
 * Debian 12 container (scripts/test-deps/debian-box.sh: curl and sudo, no Node.js, no clone)
 * against the real server, which serves install.sh and the bundled agent itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installCommand } from "../../protocol/enrollment";
import { DEBIAN_BOX_IMAGE, startDebianBox, type DebianBox } from "../helpers/debian-box";
import { dockerSkipReason } from "../helpers/docker";
import { AGENT_TOKEN, startServer, waitFor, type TestServer } from "../helpers/processes";
import type { NodeView } from "../../protocol/live";

const skip = await dockerSkipReason(DEBIAN_BOX_IMAGE);
const NODE = "sy-install-test-box";

async function nodeView(server: TestServer, name: string): Promise<NodeView | undefined> {
  const res = await server.api("/api/nodes");
  return ((await res.json()) as NodeView[]).find((n) => n.name === name);
}

/** Modes and owners of what the installer leaves, as `stat` prints them (missing paths say so). */
const STAT = (paths: string[]) => paths.map((p) => `stat -c '%n %a %U' ${p} 2>/dev/null || echo '${p} missing'`).join("; ");
const INSTALLED = ["/opt/switchyard-agent", "/opt/switchyard-agent/switchyard-agent.mjs", "/etc/switchyard-agent",
  "/etc/switchyard-agent/agent.env", "/var/lib/switchyard-agent", "/var/log/switchyard-agent.log"];

describe.skipIf(skip)(`agent install one-liner in a clean Debian box${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let server: TestServer;
  const boxes: DebianBox[] = [];

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    for (const box of boxes) box.remove();
    await server?.stop();
  });

  it("without Node.js says what to install, exits non-zero and installs nothing; an old Node.js too", async () => {
    const box = startDebianBox({ withNode: false });
    boxes.push(box);
    const command = installCommand({ serverUrl: server.url, token: AGENT_TOKEN, name: NODE });
    const r = await box.sh(command);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Node\.js 20 or newer is needed and 'node' is not installed/);
    expect(r.stderr).toMatch(/apt-get install nodejs|nodejs\.org/);
    expect((await box.sh(STAT(INSTALLED))).stdout.trim().split("\n").every((l) => l.endsWith("missing"))).toBe(true);

    // A Node.js 18 (Debian 12's own) is named with its version.
    await box.sh("printf '#!/bin/sh\\necho v18.19.0\\n' >/usr/local/bin/node && chmod +x /usr/local/bin/node");
    const old = await box.sh(command);
    expect(old.code).not.toBe(0);
    expect(old.stderr).toMatch(/Node\.js 20 or newer is needed; \/usr\/local\/bin\/node is v18\.19\.0/);
    expect(await nodeView(server, NODE)).toBeUndefined();
  });

  describe("with Node.js", () => {
    let box: DebianBox;

    beforeAll(() => {
      box = startDebianBox({ withNode: true });
      boxes.push(box);
    });

    it("installs the one agent file, keeps the token root-only, starts it, and the node reports", async () => {
      const r = await box.sh(installCommand({ serverUrl: server.url, token: AGENT_TOKEN, name: NODE }));
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/systemd is not running here/);
      expect(r.stdout).toMatch(/the agent is connected/);

      const n = await waitFor("the installed agent's node online with host stats", async () => {
        const found = await nodeView(server, NODE);
        return found?.online && found.host ? found : null;
      }, 30_000);
      expect(n.agentVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(n.warnings.join(" ")).toMatch(/nvidia-smi was not found/);

      const modes = (await box.sh(STAT(INSTALLED))).stdout;
      expect(modes).toContain("/opt/switchyard-agent/switchyard-agent.mjs 644 root");
      expect(modes).toContain("/etc/switchyard-agent 700 root");
      expect(modes).toContain("/etc/switchyard-agent/agent.env 600 root");
      expect(modes).toContain("/var/lib/switchyard-agent 700 root");
      expect(modes).toContain("/var/log/switchyard-agent.log 600 root");
      // Whatever the agent keeps in its state directory (its credential) is root's alone.
      expect((await box.sh("find /var/lib/switchyard-agent /etc/switchyard-agent -type f ! -perm 600")).stdout).toBe("");
      expect((await box.sh("cat /etc/switchyard-agent/agent.env")).stdout).toContain(`SWITCHYARD_AGENT_TOKEN=${AGENT_TOKEN}`);

      // No dependencies came along: one file, no node_modules, no clone.
      expect((await box.sh("find / -xdev -name node_modules -o -xdev -name package.json | head -n 3")).stdout).toBe("");
      // The token is in no command line (ps shows those to every user) and in no world-readable file.
      const procs = await box.sh(`for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' <"$f"; echo; done`);
      expect(procs.stdout).toContain("/opt/switchyard-agent/switchyard-agent.mjs --server");
      expect(procs.stdout).not.toContain(AGENT_TOKEN);
      expect((await box.sh(`grep -rl '${AGENT_TOKEN}' /opt /etc /var/log /run 2>/dev/null`)).stdout.trim()).toBe("/etc/switchyard-agent/agent.env");
    });

    it("runs again as an upgrade in place: settings and token kept, still one agent", async () => {
      const before = (await box.sh("cat /run/switchyard-agent.pid")).stdout.trim();
      const r = await box.sh(`curl -fsSL ${server.url}/agent/install.sh | sudo sh -s --`);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`node ${NODE}`));
      expect(r.stdout).toMatch(/the agent is connected/);
      const after = (await box.sh("cat /run/switchyard-agent.pid")).stdout.trim();
      expect(after).not.toBe(before);
      const running = await box.sh("pgrep -f '[s]witchyard-agent.mjs' | wc -l");
      expect(Number(running.stdout.trim())).toBe(1);
      await waitFor("the node online again", async () => (await nodeView(server, NODE))?.online, 30_000);
    });

    it("refuses what would break the box: bad names, a fingerprint over plain HTTP, an unknown option", async () => {
      for (const [args, message] of [
        ["--name 'bad name;rm'", /--name 'bad name;rm' must be letters/],
        ["--fingerprint sha256:" + "a".repeat(64), /--fingerprint pins a TLS certificate, but http:\/\/.* is not https/],
        ["--fingerprint nonsense --server https://127.0.0.1:1", /'nonsense' is not a certificate fingerprint/],
        ["--server 'http://x;touch /tmp/pwned'", /is not a server address/],
        ["--bogus", /unknown option '--bogus'/],
      ] as const) {
        const r = await box.sh(`curl -fsSL ${server.url}/agent/install.sh | sh -s -- ${args}`);
        expect(r.code, args).not.toBe(0);
        expect(r.stderr, args).toMatch(message);
      }
      expect((await box.sh("test -e /tmp/pwned && echo pwned")).stdout).toBe("");
      // The installed agent was not disturbed by the refused runs.
      expect((await nodeView(server, NODE))?.online).toBe(true);
    });

    it("--uninstall stops the agent and leaves nothing behind", async () => {
      const r = await box.sh(`curl -fsSL ${server.url}/agent/install.sh | sudo sh -s -- --uninstall`);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/remove it in the dashboard/);
      const left = (await box.sh(STAT([...INSTALLED, "/run/switchyard-agent.pid", "/etc/systemd/system/switchyard-agent.service"]))).stdout;
      expect(left.trim().split("\n").filter((l) => !l.endsWith("missing"))).toEqual([]);
      expect((await box.sh("pgrep -f '[s]witchyard-agent.mjs' || true")).stdout).toBe("");
      await waitFor("the node offline", async () => (await nodeView(server, NODE))?.online === false, 30_000);
    });

    it("with systemd, writes a unit that systemd accepts, without the token, and its command runs the agent", async () => {
      // STAND-IN for systemd, which cannot boot in a container here: a systemctl that records its
      // calls. The unit itself is checked by the real systemd-analyze, and its ExecStart is run.
      await box.sh([
        "mkdir -p /run/systemd/system",
        "printf '#!/bin/sh\\necho \"$*\" >>/tmp/systemctl.calls\\n' >/usr/local/bin/systemctl && chmod +x /usr/local/bin/systemctl",
      ].join(" && "));
      const r = await box.sh(`curl -fsSL ${server.url}/agent/install.sh | sh -s -- --token ${AGENT_TOKEN} --name ${NODE}-unit`, { env: { SWITCHYARD_INSTALL_WAIT_S: "0" } });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/started switchyard-agent.service \(systemd/);
      expect((await box.sh("cat /tmp/systemctl.calls")).stdout.split("\n")).toEqual(expect.arrayContaining(["daemon-reload", "enable switchyard-agent.service", "restart switchyard-agent.service"]));
      const unit = "/etc/systemd/system/switchyard-agent.service";
      expect((await box.sh(`stat -c '%a' ${unit}`)).stdout.trim()).toBe("644");
      const verify = await box.sh(`systemd-analyze verify ${unit} 2>&1 | grep -v 'docker.service' || true`);
      expect(verify.stdout).toBe("");
      const text = (await box.sh(`cat ${unit}`)).stdout;
      expect(text).not.toContain(AGENT_TOKEN);
      expect(text).toContain("EnvironmentFile=/etc/switchyard-agent/agent.env");
      // Run what systemd would: the ExecStart line with the EnvironmentFile's variables.
      const exec = /^ExecStart=(.*)$/m.exec(text)![1]!;
      await box.sh(`set -a; . /etc/switchyard-agent/agent.env; set +a; setsid ${exec} </dev/null >/tmp/unit-agent.log 2>&1 &`);
      await waitFor("the unit's agent online", async () => (await nodeView(server, `${NODE}-unit`))?.online, 30_000);

      await box.sh("pkill -f '[s]witchyard-agent.mjs' || true");
      const un = await box.sh(`curl -fsSL ${server.url}/agent/install.sh | sh -s -- --uninstall`);
      expect(un.code).toBe(0);
      expect((await box.sh("cat /tmp/systemctl.calls")).stdout).toContain("disable --now switchyard-agent.service");
      expect((await box.sh(`test -e ${unit} || echo gone`)).stdout.trim()).toBe("gone");
    });
  });

  describe("over HTTPS with the server's own certificate", () => {
    let tlsServer: TestServer;
    let box: DebianBox;
    let command: string;

    beforeAll(async () => {
      tlsServer = await startServer({ env: { SWITCHYARD_TLS: "self-signed" } });
      box = startDebianBox({ withNode: true });
      boxes.push(box);
      const pin = /curl: --pinnedpubkey (sha256\/\/\S+)/.exec(tlsServer.proc.text())?.[1] ?? null;
      command = installCommand({ serverUrl: tlsServer.url, token: AGENT_TOKEN, fingerprint: tlsServer.fingerprint, curlPin: pin, name: `${NODE}-tls` });
    });

    afterAll(async () => {
      await tlsServer?.stop();
    });

    it("refuses a --fingerprint that is not the certificate of the server the script came from", async () => {
      const wrong = command.replace(tlsServer.fingerprint!, `sha256:${"0".repeat(64)}`);
      const r = await box.sh(wrong);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/has the certificate sha256:[0-9a-f]{64}, not sha256:0{64}/);
      expect((await box.sh("test -e /opt/switchyard-agent/switchyard-agent.mjs || echo none")).stdout.trim()).toBe("none");
    });

    it("the pinned one-liner installs an agent pinned to the server, and it reports over wss://", async () => {
      const r = await box.sh(command);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/the agent is connected/);
      expect((await box.sh("cat /opt/switchyard-agent/run.sh")).stdout).toContain(`--server ${tlsServer.url} --fingerprint ${tlsServer.fingerprint}`);
      await waitFor("the TLS box online", async () => (await nodeView(tlsServer, `${NODE}-tls`))?.online, 30_000);
      expect((await box.sh(`curl -fsSL --insecure ${tlsServer.url}/agent/install.sh | sh -s -- --uninstall`)).code).toBe(0);
    });
  });
});
