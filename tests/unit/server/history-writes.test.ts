/**
 * History when things go wrong, on the real migrations (in-memory SQLite): rows that could not be
 * written (the database restarting) are kept and written with the next batch, within a bound; and
 * samples an agent sends again after a reconnect are stored once on the server that has them.
 */
import { describe, expect, it } from "vitest";
import { createHistory } from "../../../server/core/history";
import { openMemoryDatabase } from "../../../server/db/client";
import { samplesRepo, type SamplesRepo } from "../../../server/db/repos/samples-repo";
import type { NodeView } from "../../../protocol/live";
import { gpu, snapshot } from "../../helpers/samples";

const T = 1_796_000_000_000;
const sample = (ts: number, util: number) => ({ ts, snapshot: snapshot({ gpus: [gpu(0, { uuid: "GPU-a", utilGpuPct: util })] }) });
const node = { id: "n1", name: "box1", gpus: [gpu(0, { uuid: "GPU-a" })] } as unknown as NodeView;

/** The real repository, made to fail while `down` is set. */
function flaky(repo: SamplesRepo) {
  const state = { down: false };
  const guard = <A extends unknown[]>(fn: (...a: A) => Promise<void>) => async (...a: A) => {
    if (state.down) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    return fn(...a);
  };
  return { state, repo: { ...repo, insertGpu: guard(repo.insertGpu), insertHost: guard(repo.insertHost) } };
}

describe("history writes", () => {
  it("keeps rows it could not write and writes them with the next batch", async () => {
    const db = openMemoryDatabase();
    const { state, repo } = flaky(samplesRepo(db));
    const history = createHistory(repo);
    history.record("n1", [sample(T, 10), sample(T + 1000, 11)]);
    state.down = true;
    await history.flush();
    history.record("n1", [sample(T + 2000, 12)]);
    await history.flush();
    state.down = false;
    const h = await history.query(node, "5m", T + 10_000);
    expect(h.gpus[0]!.points.map((p) => [p.ts - T, p.utilGpuPct])).toEqual([[0, 10], [1000, 11], [2000, 12]]);
    await db.close();
  });

  it("stores a resent sample once, and still takes what it never had", async () => {
    const db = openMemoryDatabase();
    const history = createHistory(samplesRepo(db));
    history.record("n1", [sample(T, 10), sample(T + 1000, 11)]);
    // The agent reconnected: its last seconds again, then what it kept while away.
    history.record("n1", [sample(T, 99), sample(T + 1000, 99), sample(T + 2000, 12)]);
    // A server that never had them (the agent moved here) takes them all.
    history.record("n2", [sample(T, 20)]);
    const h = await history.query(node, "5m", T + 10_000);
    expect(h.gpus[0]!.points.map((p) => p.utilGpuPct)).toEqual([10, 11, 12]);
    await db.close();
  });
});
