/**
 * GPU history was keyed by GPU UUID alone; the migration keys it by node and GPU. History written
 * before it must survive, each row under the node that owns its UUID, and the retention index stay.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../helpers/processes";
import { createHistory } from "../../../server/core/history";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import type { NodeView } from "../../../protocol/live";

const BEFORE = "0004_fit";

/** The committed migrations up to and including `last`, as a folder drizzle can apply. */
function migrationsUpTo(last: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-migrations-"));
  fs.cpSync(path.join(ROOT, "drizzle"), dir, { recursive: true });
  const journalFile = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: Array<{ tag: string }> };
  journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === last) + 1);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

describe("the node-and-GPU history migration", () => {
  it("keeps history written before it, under the node that owns each GPU", async () => {
    const sqlite = new Database(":memory:");
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsUpTo(BEFORE) });
    sqlite.exec(`
      INSERT INTO nodes (id, name, first_seen) VALUES ('n-a', 'box-a', 1), ('n-b', 'box-b', 1);
      INSERT INTO gpus (uuid, node_id, gpu_index, name, last_seen) VALUES ('GPU-a', 'n-a', 0, 'A', 1), ('GPU-b', 'n-b', 0, 'B', 1);
      INSERT INTO gpu_samples (gpu_uuid, resolution_s, ts, mem_used_mib) VALUES ('GPU-a', 1, 1000, 11), ('GPU-a', 60, 60000, 12), ('GPU-b', 1, 1000, 21), ('GPU-gone', 1, 1000, 99);
    `);

    migrate(db, { migrationsFolder: path.join(ROOT, "drizzle") });
    const rows = sqlite.prepare("SELECT node_id, gpu_uuid, resolution_s, mem_used_mib FROM gpu_samples ORDER BY gpu_uuid, resolution_s").all();
    expect(rows).toEqual([
      { node_id: "n-a", gpu_uuid: "GPU-a", resolution_s: 1, mem_used_mib: 11 },
      { node_id: "n-a", gpu_uuid: "GPU-a", resolution_s: 60, mem_used_mib: 12 },
      { node_id: "n-b", gpu_uuid: "GPU-b", resolution_s: 1, mem_used_mib: 21 },
    ]);
    const indexes = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'gpu_samples'").all() as Array<{ name: string }>;
    expect(indexes.map((i) => i.name)).toContain("gpu_samples_age_idx");

    // The history queries read it back per node.
    const history = createHistory(samplesRepo(drizzle(sqlite, { schema: await import("../../../server/db/schema") })));
    const view = { id: "n-a", name: "box-a", gpus: [{ uuid: "GPU-a", index: 0, name: "A" }] } as unknown as NodeView;
    const h = await history.query(view, "30d", 120_000);
    expect(h.gpus[0]!.points.map((p) => p.memUsedMiB)).toEqual([12]);
    sqlite.close();
  });
});
