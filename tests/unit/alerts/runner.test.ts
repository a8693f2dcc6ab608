/**
 * The runner on the real migrations, on each dialect (in-memory SQLite, and the run's PostgreSQL,
 * where several servers share one database), with an injected clock: state and history in the
 * database, a new leader continuing without notifying again, two servers that both think they
 * lead sending each notice once, and dashboard channels sealed at rest.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { NodeView } from "../../../protocol/live";
import type { DbHandle } from "../../../server/db/client";
import { alertsRepo } from "../../../server/db/repos/alerts-repo";
import { alertsConfigSchema } from "../../../server/core/alerts/config-schema";
import { createAlerts, type Alerts } from "../../../server/core/alerts/module";
import type { Notice } from "../../../server/core/alerts/notice";
import { snapshot } from "../../helpers/samples";
import { createSecretBox, isSealed } from "../../../server/core/secret-box";
import { TEST_DIALECTS, skipReason, useDatabases } from "../../helpers/databases";

const config = alertsConfigSchema.parse({
  channels: [{ name: "hook", url: "http://127.0.0.1:9/hook" }],
  rules: [{ when: "node-offline", for: "30s", notify: ["hook"] }],
});

function fleetOf(online: Record<string, boolean>) {
  return {
    list: (): NodeView[] => Object.entries(online).map(([name, on]) => ({
      id: name, name, online: on, lastSeen: 0, agentVersion: "t", facts: null as never, driver: snapshot().driver, host: snapshot().host, gpus: [], processes: [], warnings: [],
    })),
  };
}

let db: DbHandle;
const running: Alerts[] = [];
afterEach(async () => {
  for (const a of running.splice(0)) await a.stop();
});

async function server(opts: { clock: { t: number }; online: Record<string, boolean>; sent: Notice[]; leader?: () => boolean }) {
  const a = await createAlerts({
    repo: alertsRepo(db), secretBox: createSecretBox(randomBytes(32)), config, sources: { fleet: fleetOf(opts.online) },
    isLeader: opts.leader, now: () => opts.clock.t, send: async (_t, n) => void opts.sent.push(n),
  });
  running.push(a);
  return a;
}

/** Ticks, then lets the delivery queue send what the tick queued. */
async function step(a: Alerts, clock: { t: number }, to: number) {
  clock.t = to;
  await a.tick();
  await a.delivered();
}

for (const dialect of TEST_DIALECTS) describe.skipIf(skipReason(dialect))(`alert runner on ${dialect}`, () => {
  const databases = useDatabases(dialect);

  it("fires after `for`, records history and deliveries, resolves with a notice", async () => {
    db = await databases.open();
    const clock = { t: 1_000_000 };
    const online = { box2: false };
    const sent: Notice[] = [];
    const a = await server({ clock, online, sent });
    await step(a, clock, 1_000_000);
    await step(a, clock, 1_029_000);
    expect(sent).toEqual([]);
    await step(a, clock, 1_030_000);
    expect(sent.map((n) => [n.rule, n.state, n.subject.node])).toEqual([["node-offline", "firing", "box2"]]);
    expect(await a.service.firing()).toMatchObject([{ rule: "node-offline", key: "box2", firingSince: 1_030_000, notifiedAt: 1_030_000 }]);
    expect((await a.service.summary()).firing).toBe(1);

    online.box2 = true;
    await step(a, clock, 1_040_000);
    expect(sent.map((n) => n.state)).toEqual(["firing", "resolved"]);
    expect(sent[1]!.message).toBe("node box2 is back online after 10s");
    expect(await a.service.firing()).toEqual([]);
    const [occ] = await a.service.history(10);
    expect(occ).toMatchObject({ rule: "node-offline", firedAt: 1_030_000, resolvedAt: 1_040_000 });
    expect(occ!.deliveries.map((d) => [d.channel, d.notice, d.status])).toEqual([["hook", "firing", "sent"], ["hook", "resolved", "sent"]]);
  });

  it("a new leader continues from the stored state: nothing already notified is sent again", async () => {
    db = await databases.open();
    const clock = { t: 0 };
    const online = { box2: false };
    const sentA: Notice[] = [];
    const sentB: Notice[] = [];
    let aLeads = true;
    const a = await server({ clock, online, sent: sentA, leader: () => aLeads });
    const b = await server({ clock, online, sent: sentB, leader: () => !aLeads });
    await step(a, clock, 0);
    await step(a, clock, 30_000);
    expect(sentA.map((n) => n.state)).toEqual(["firing"]);

    aLeads = false;
    for (const t of [31_000, 60_000, 120_000]) {
      await step(a, clock, t);
      await step(b, clock, t);
    }
    expect(sentB).toEqual([]);
    online.box2 = true;
    await step(b, clock, 130_000);
    expect(sentB.map((n) => n.state)).toEqual(["resolved"]);
    expect(sentA.map((n) => n.state)).toEqual(["firing"]);
  });

  it("two servers that both think they lead send each notice once", async () => {
    db = await databases.open();
    const clock = { t: 0 };
    const online = { box2: false, box3: false };
    const sent: Notice[] = [];
    const a = await server({ clock, online, sent });
    const b = await server({ clock, online, sent });
    for (const t of [0, 30_000, 31_000]) {
      await Promise.all([step(a, clock, t), step(b, clock, t)]);
    }
    expect(sent.map((n) => `${n.state}:${n.subject.node}`).sort()).toEqual(["firing:box2", "firing:box3"]);
    online.box2 = false;
    online.box3 = true;
    await Promise.all([step(a, clock, 40_000), step(b, clock, 40_000)]);
    expect(sent.filter((n) => n.state === "resolved").map((n) => n.subject.node)).toEqual(["box3"]);
  });

  it("seals dashboard channel URLs at rest and never answers with them", async () => {
    db = await databases.open();
    const a = await server({ clock: { t: 0 }, online: {}, sent: [] });
    const url = "ntfy://me:hunter2@ntfy.example.com/secret-topic-123?token=tk_0123456789";
    const view = await a.service.saveChannel({ name: "phone", url });
    expect(view).toEqual({ name: "phone", kind: "ntfy", source: "ui", url: "ntfy://•••:•••@ntfy.example.com/sec•••?token=•••", problem: null });
    const rows = await db.db.select().from(db.schema.alertChannels);
    const stored = JSON.stringify(rows);
    for (const secret of ["hunter2", "secret-topic-123", "tk_0123456789"]) {
      expect(stored).not.toContain(secret);
      expect(JSON.stringify(a.service.channels())).not.toContain(secret);
    }
    expect(rows.map((r) => isSealed(r.urlSealed))).toEqual([true]);
    await expect(a.service.saveRule({ name: "x", when: "node-offline", notify: ["nope"] })).rejects.toThrow(/no channel named nope/);
    await a.service.saveRule({ name: "x", when: "node-offline", notify: ["phone"] });
    await expect(a.service.deleteChannel("phone")).rejects.toThrow(/rules x notify phone/);
    await expect(a.service.saveChannel({ name: "hook", url: "http://x/y" })).rejects.toThrow(/comes from the config file/);
  });
});
