/**
 * Smoke test of the real llama.cpp server that deploy, fit and gateway tests build on: the local
 * image under Docker and the same root filesystem under chroot, each serving a generated model that
 * always answers one word, over both its OpenAI and its Anthropic endpoints.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { TEST_LABEL, cleanupContainers, containerExists, dockerSkipReason } from "../helpers/docker";
import { startLlamaServer, type LlamaServer } from "../helpers/llama";
import { rootfsSkipReason } from "../helpers/llama-rootfs";

const WORD = "Pong";
const LABELS = { [TEST_LABEL]: "llama-image-test" };
const skip = { docker: await dockerSkipReason(), chroot: await rootfsSkipReason() };

let dir: string;
let model: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-llama-"));
  model = path.join(dir, "pong.gguf");
  await writeTinyLlamaGguf(model, { deterministicWord: WORD });
});
afterAll(async () => {
  if (!skip.docker) await cleanupContainers(LABELS);
  await fs.rm(dir, { recursive: true, force: true });
});

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

for (const via of ["docker", "chroot"] as const) {
  const why = skip[via];
  describe.skipIf(why !== null)(`llama-server via ${via}${why ? ` (skipped: ${why})` : ""}`, () => {
    let server: LlamaServer;
    beforeAll(async () => {
      server = await startLlamaServer({ model, via, ctx: 2048, parallel: 2, labels: LABELS, extraArgs: ["-a", "tiny", "--metrics"] });
    });
    afterAll(() => server?.stop());

    it("is healthy", async () => {
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    });

    it("answers the fixed word over /v1/chat/completions", async () => {
      const { status, json } = await post(`${server.url}/v1/chat/completions`, {
        model: "tiny",
        messages: [{ role: "user", content: "Say something" }],
        max_tokens: 16,
      });
      expect(status).toBe(200);
      expect(json.choices[0].message.content.trim()).toBe(WORD);
      expect(json.choices[0].finish_reason).toBe("stop");
      expect(json.model).toBe("tiny");
    });

    it("answers the fixed word over the Anthropic protocol (/v1/messages)", async () => {
      const { status, json } = await post(`${server.url}/v1/messages`, {
        model: "tiny",
        max_tokens: 16,
        messages: [{ role: "user", content: "Say something" }],
      });
      expect(status).toBe(200);
      expect(json.type).toBe("message");
      expect(json.content[0].text.trim()).toBe(WORD);
      expect(json.stop_reason).toBe("end_turn");
    });

    it("is gone after stop", async () => {
      await server.stop();
      if (via === "docker") expect(await containerExists(server.containerId!)).toBe(false);
      else expect(() => process.kill(server.pid!, 0)).toThrow(/ESRCH/);
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    });
  });
}

describe.skipIf(skip.docker !== null)("llama-server that cannot load its model", () => {
  it("fails fast with its last log lines and leaves no container behind", async () => {
    const bogus = path.join(dir, "not-a-model.gguf");
    await fs.writeFile(bogus, "this is not GGUF");
    const started = Date.now();
    await expect(startLlamaServer({ model: bogus, via: "docker", labels: LABELS })).rejects.toThrow(
      /exited before it was healthy[\s\S]*last log lines[\s\S]*not-a-model\.gguf/,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await cleanupContainers(LABELS)).toBe(0);
  });
});
