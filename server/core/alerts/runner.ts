/**
 * Runs the rules: every tick (1 s) on the leading server, the sources' current inputs go through
 * each rule's condition and the engine; what changed is written to the shared state with claims,
 * and notices are queued for delivery. A server that is not the leader evaluates nothing; when it
 * becomes the leader it continues from the stored state, so nothing already notified is sent again.
 */
import { createLogger } from "../../../lib/logger";
import type { AlertsRepo } from "../../db/repos/alerts-repo";
import type { AlertCatalog } from "./catalog";
import { observe } from "./conditions";
import type { AlertInputs } from "./conditions/inputs";
import type { DeliveryQueue } from "./delivery-queue";
import { evaluateRule, type Evaluation, type Instance, type Notification, type RuleState, type Subject } from "./engine";
import { clip, resolvedMessage, type Notice } from "./notice";
import { inQuietHours } from "./quiet-hours";
import type { AlertRule } from "./rules";

const log = createLogger("alerts");

export interface RunnerDeps {
  catalog: AlertCatalog;
  repo: AlertsRepo;
  queue: DeliveryQueue;
  inputs(now: number): AlertInputs;
  /** True on the one server of several that evaluates and notifies (always true on a single server). */
  isLeader(): boolean;
  now?: () => number;
}

const occKey = (rule: string, key: string) => `${rule}\u0000${key}`;

export class AlertRunner {
  private readonly states = new Map<string, RuleState>();
  private readonly occurrences = new Map<string, number>();
  private leading = false;
  private running: Promise<void> | null = null;
  private ruleNames = "";
  private readonly now: () => number;

  constructor(private readonly deps: RunnerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** One evaluation; a tick that finds the previous one still running is skipped. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.evaluate().finally(() => (this.running = null));
    return this.running;
  }

  /** Resolves when no evaluation is running (shutdown: its writes finish before the database closes). */
  async settled(): Promise<void> {
    await this.running?.catch(() => {});
  }

  private async evaluate(): Promise<void> {
    if (!this.deps.isLeader()) {
      this.leading = false;
      this.states.clear();
      this.occurrences.clear();
      return;
    }
    const rules = this.deps.catalog.rules();
    const names = rules.map((r) => r.name).sort().join("\n");
    if (!this.leading || names !== this.ruleNames) {
      await this.adopt(rules);
      this.leading = true;
      this.ruleNames = names;
    }
    const now = this.now();
    const inputs = this.deps.inputs(now);
    for (const rule of rules) {
      let state = this.states.get(rule.name);
      if (!state) this.states.set(rule.name, (state = new Map()));
      try {
        const ev = evaluateRule(rule, state, observe(rule, inputs, now), now, inQuietHours(rule.quietHours, now));
        if (ev.fired.length || ev.resolved.length || ev.notifications.length) await this.apply(rule, ev, now, inputs);
      } catch (err) {
        log.error({ err, rule: rule.name }, "evaluating an alert rule failed");
        // Memory may now be ahead of the database: start over from what is stored.
        this.leading = false;
      }
    }
  }

  /** Loads what fires from the database (a new leader, a restart); closes what belonged to removed rules. */
  private async adopt(rules: AlertRule[]): Promise<void> {
    const names = rules.map((r) => r.name);
    await this.deps.repo.closeRulesOtherThan(names, this.now());
    this.states.clear();
    this.occurrences.clear();
    for (const row of await this.deps.repo.firing()) {
      if (!names.includes(row.rule)) continue;
      let state = this.states.get(row.rule);
      if (!state) this.states.set(row.rule, (state = new Map()));
      state.set(row.key, {
        key: row.key, subject: parseSubject(row.subject), message: row.message,
        pendingSince: row.firingSince, firingSince: row.firingSince, notifiedAt: row.notifiedAt, resolvedAt: null,
      });
      this.occurrences.set(occKey(row.rule, row.key), row.occurrenceId);
    }
  }

  private async apply(rule: AlertRule, ev: Evaluation, now: number, inputs: AlertInputs): Promise<void> {
    const { repo } = this.deps;
    for (const inst of ev.fired) {
      const res = await repo.openOccurrence({ rule: rule.name, kind: rule.when, key: inst.key, subject: JSON.stringify(inst.subject), message: clip(inst.message), firedAt: inst.firingSince! });
      if ("occurrenceId" in res) {
        this.occurrences.set(occKey(rule.name, inst.key), res.occurrenceId);
        log.info({ rule: rule.name, key: inst.key }, "alert firing");
      } else if (res.taken) {
        // Another server opened it first: continue its occurrence.
        inst.firingSince = res.taken.firingSince;
        this.occurrences.set(occKey(rule.name, inst.key), res.taken.occurrenceId);
      }
    }
    const resolvedNow = new Map<Instance, number>();
    for (const inst of ev.resolved) {
      const id = this.occurrences.get(occKey(rule.name, inst.key));
      this.occurrences.delete(occKey(rule.name, inst.key));
      if (id === undefined) continue;
      if (await repo.closeOccurrence(rule.name, inst.key, id, inst.resolvedAt ?? now)) {
        resolvedNow.set(inst, id);
        log.info({ rule: rule.name, key: inst.key }, "alert resolved");
      }
    }
    for (const n of ev.notifications) {
      if (n.state === "resolved") {
        const id = resolvedNow.get(n.instance);
        if (id !== undefined) await this.notify(rule, n, id, now, lostSubject(rule, n.instance.subject, inputs));
        continue;
      }
      const id = this.occurrences.get(occKey(rule.name, n.instance.key));
      if (id === undefined) continue;
      if (await repo.claimNotify(rule.name, n.instance.key, id, n.prev, now)) await this.notify(rule, n, id, now);
    }
  }

  private async notify(rule: AlertRule, n: Notification, occurrenceId: number, now: number, lost: "removed" | "offline" | null = null): Promise<void> {
    const inst = n.instance;
    const notice: Notice = {
      rule: rule.when, ruleName: rule.name, state: n.state, subject: inst.subject, at: now, since: inst.firingSince, repeat: n.repeat, test: false,
      message: clip(n.state === "firing" ? inst.message : resolvedMessage(rule.when, inst.subject, inst.message, inst.firingSince, inst.resolvedAt ?? now, lost)),
    };
    const kind = n.state === "resolved" ? "resolved" : n.repeat ? "repeat" : "firing";
    for (const channel of rule.notify) {
      const deliveryId = await this.deps.repo.addDelivery(occurrenceId, channel, kind, now);
      this.deps.queue.enqueue({ deliveryId, channel, notice });
    }
  }
}

/** Why an alert's subject stopped matching other than by recovering: removed, or its node offline (no data). */
function lostSubject(rule: AlertRule, s: Subject, inputs: AlertInputs): "removed" | "offline" | null {
  if (s.deployment !== undefined) return inputs.deployments.some((d) => d.name === s.deployment && d.desired === "running") ? null : "removed";
  if (s.node === undefined) return null;
  const node = inputs.nodes.find((n) => n.name === s.node);
  if (!node) return "removed";
  return !node.online && rule.when !== "node-offline" ? "offline" : null;
}

function parseSubject(text: string): Subject {
  try {
    return JSON.parse(text) as Subject;
  } catch {
    return {};
  }
}
