/**
 * The agent's Docker adapter on the real Engine: it touches no container without Switchyard's
 * labels for its own node, it sees ports other containers publish, and it maps a container to the
 * host PIDs that per-process GPU telemetry (nvidia-smi) reports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerAdapter } from "../../agents/docker/docker-adapter";
import { LABELS } from "../../agents/docker/labels";
import { TEST_IMAGE, TEST_LABEL, cleanupContainers, containerExists, docker, dockerSkipReason } from "../helpers/docker";
import { waitFor } from "../helpers/processes";

const NODE = `adapter-${process.pid}`;
const TAG = { [TEST_LABEL]: `adapter-${process.pid}` };
const skip = await dockerSkipReason();

describe.skipIf(skip !== null)(`Docker adapter${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const adapter = createDockerAdapter(NODE);
  const ids: Record<string, string> = {};

  const sleeper = async (name: string, labels: Record<string, string>, publish?: number) => {
    const c = await docker().createContainer({
      Image: TEST_IMAGE, Entrypoint: ["/bin/sleep"], Cmd: ["300"], Labels: { ...TAG, ...labels },
      ...(publish ? { ExposedPorts: { "9/tcp": {} }, HostConfig: { PortBindings: { "9/tcp": [{ HostPort: String(publish) }] } } } : {}),
    });
    await c.start();
    ids[name] = c.id;
  };

  beforeAll(async () => {
    await sleeper("foreign", {}, 28990);
    await sleeper("otherNode", { [LABELS.managed]: "true", [LABELS.deployment]: "d-other", [LABELS.node]: "someone-else" });
    await sleeper("ours", { [LABELS.managed]: "true", [LABELS.deployment]: "d-ours", [LABELS.node]: NODE, [LABELS.port]: "28991" });
  });
  afterAll(() => cleanupContainers(TAG));

  it("refuses every operation on a container that is not Switchyard's for this node, and leaves it running", async () => {
    for (const name of ["foreign", "otherNode"]) {
      const id = ids[name]!;
      await expect(adapter.inspect(id)).rejects.toThrow(/is not a Switchyard container of node adapter-\d+: the agent leaves it alone/);
      await expect(adapter.stop(id, 1)).rejects.toMatchObject({ code: "forbidden" });
      await expect(adapter.remove(id)).rejects.toMatchObject({ code: "forbidden" });
      await expect(adapter.logsTail(id, 5)).rejects.toMatchObject({ code: "forbidden" });
      expect((await docker().getContainer(id).inspect()).State.Running).toBe(true);
    }
  });

  it("lists only its own node's containers", async () => {
    expect((await adapter.listManaged()).map((c) => c.id)).toEqual([ids.ours]);
  });

  it("counts ports other containers publish, and ports Switchyard containers hold", async () => {
    const taken = await adapter.takenPorts();
    expect(taken.has(28990)).toBe(true);
    expect(taken.has(28991)).toBe(true);
  });

  it("maps its container to host PIDs (what nvidia-smi reports per process)", async () => {
    const pids = await adapter.hostPids(ids.ours!);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).not.toThrow(); // a live host process
    const comm = await import("node:fs/promises").then((fs) => fs.readFile(`/proc/${pids[0]}/comm`, "utf8"));
    expect(comm.trim()).toBe("sleep");
  });

  it("removes its own container", async () => {
    await adapter.remove(ids.ours!);
    await waitFor("gone", async () => !(await containerExists(ids.ours!)), 10_000);
    await adapter.remove(ids.ours!); // already gone: still fine
  });
});
