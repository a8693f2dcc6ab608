/**
 * `npm run bench:deploy` — deploy-to-ready of the tiny llama.cpp model through Switchyard against
 * the floor: `docker run` of the same image, model and arguments until its /health answers 200.
 * Both in the same run, alternating, several rounds (BENCH_ROUNDS, default 5). Switchyard is timed
 * twice: the whole `switchyard deploy` command as a user runs it (CLI start-up included), and the
 * API alone (POST, then polling until ready), which is what the server and agent add.
 * Target (issue 3): the command within 1 s of the floor.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { DeploymentView } from "../protocol/deployments";
import { writeTinyLlamaGguf } from "../tests/fixtures/gguf/writer";
import { runCli, startDeployAgent } from "../tests/helpers/deploy";
import { TEST_IMAGE, cleanupContainers, dockerSkipReason } from "../tests/helpers/docker";
import { freePort, startServer, waitFor } from "../tests/helpers/processes";
import { healthy, median, run, seconds } from "./floor";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NODE = `bench-${process.pid}`;
const BENCH_LABEL = "switchyard.bench";
const s = seconds;
const signed = (ms: number) => `${ms >= 0 ? "+" : "−"}${s(Math.abs(ms))}`;

/** The floor: what a user gets with plain `docker run` and a health poll. */
async function dockerRun(modelDir: string, file: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const r = await run("docker", [
    "run", "-d", "--rm", "--label", `${BENCH_LABEL}=floor`, "-p", `${port}:8080`, "-v", `${modelDir}:/models:ro`, TEST_IMAGE,
    "-m", `/models/${file}`, "--host", "0.0.0.0", "--port", "8080", "-a", "floor", "--metrics", "-c", "2048",
  ]);
  if (r.code !== 0) throw new Error(`docker run failed: ${r.out}`);
  await healthy(`http://127.0.0.1:${port}/health`);
  const ms = performance.now() - t0;
  await run("docker", ["rm", "-f", r.out.trim()]);
  return ms;
}

async function main() {
  const why = await dockerSkipReason();
  if (why) throw new Error(`bench:deploy needs Docker and the llama.cpp image: ${why}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-bench-deploy-"));
  const model = path.join(dir, "tiny.gguf");
  await writeTinyLlamaGguf(model, { deterministicWord: "Pong" });
  const server = await startServer();
  const agent = startDeployAgent(server, NODE, { portRange: "28400-28499" });
  const rows: Array<{ cli: number; api: number; floor: number }> = [];
  try {
    await waitFor(`${NODE} online`, async () => {
      const nodes = (await (await server.api("/api/nodes")).json()) as Array<{ name: string; online: boolean }>;
      return nodes.some((n) => n.name === NODE && n.online);
    }, 30_000);
    const body = { engine: "llamacpp", model, node: NODE, gpus: "none", image: TEST_IMAGE, ctx: 2048 };

    const viaApi = async (name: string) => {
      const t0 = performance.now();
      const res = await server.api("/api/deployments", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, name }) });
      if (res.status !== 201) throw new Error(`deploy failed: ${await res.text()}`);
      await waitFor("ready", async () => ((await (await server.api(`/api/deployments/${name}`)).json()) as DeploymentView).state === "ready", 60_000, 20);
      return performance.now() - t0;
    };
    const viaCli = async (name: string) => {
      const t0 = performance.now();
      const r = await runCli(server, ["deploy", "llamacpp", model, "--name", name, "--node", NODE, "--gpus", "none", "--image", TEST_IMAGE, "--ctx", "2048"]);
      if (r.code !== 0) throw new Error(`switchyard deploy failed: ${r.stderr}`);
      return performance.now() - t0;
    };
    const stop = async (name: string) => void (await server.api(`/api/deployments/${name}`, { method: "DELETE" }));

    // One warm-up of each, not counted: first container start on a cold page cache is slower.
    await dockerRun(dir, "tiny.gguf");
    await viaApi("warmup");
    await stop("warmup");

    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? ["floor", "cli", "api"] : ["api", "cli", "floor"];
      const row = { cli: 0, api: 0, floor: 0 };
      for (const what of order) {
        if (what === "floor") row.floor = await dockerRun(dir, "tiny.gguf");
        else if (what === "cli") {
          row.cli = await viaCli(`bench-cli-${i}`);
          await stop(`bench-cli-${i}`);
        } else {
          row.api = await viaApi(`bench-api-${i}`);
          await stop(`bench-api-${i}`);
        }
      }
      rows.push(row);
      process.stdout.write(`round ${i + 1}/${ROUNDS}: docker run ${s(row.floor)}  switchyard deploy ${s(row.cli)}  API ${s(row.api)}\n`);
    }
  } finally {
    await agent.stop();
    await server.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    await cleanupContainers({ [BENCH_LABEL]: "floor" });
    await fs.rm(dir, { recursive: true, force: true });
  }

  const floor = median(rows.map((r) => r.floor));
  const cli = median(rows.map((r) => r.cli));
  const api = median(rows.map((r) => r.api));
  const verdict = cli - floor <= 1000 ? "within" : "NOT within";
  process.stdout.write(`
deploy-to-ready of the tiny llama.cpp model (${ROUNDS} rounds, medians):
  docker run → /health 200 (floor)        ${s(floor)}
  switchyard deploy (CLI, end to end)      ${s(cli)}   ${signed(cli - floor)} vs the floor
  Switchyard API (POST → ready)            ${s(api)}   ${signed(api - floor)} vs the floor
  target: the command within 1 s of the floor: ${verdict} (ratio ${(cli / floor).toFixed(2)}×)
`);
}

main().catch((err) => {
  process.stderr.write(`bench:deploy failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
