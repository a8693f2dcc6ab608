/**
 * The rule engine: one rule's active conditions in, firing/resolved transitions and notifications
 * out. Pure given the clock (`now` is passed in) and free of I/O: the runner persists what it
 * returns and sends the notifications.
 *
 * - A condition must hold for `forMs` before it fires (pending until then; a pending condition
 *   that clears is forgotten silently).
 * - Firing is notified once, then every `repeatMs` while it lasts (when set).
 * - When it clears, a resolved notice goes out, but only if the firing was notified.
 * - In quiet hours notifications wait: a firing notice is sent when they end if it still fires; a
 *   resolved notice when they end, unless it fired again meanwhile (then nobody needs either).
 */
import type { AlertRule } from "./rules";

/** What an alert is about; only the fields that apply are set. */
export interface Subject {
  node?: string;
  gpu?: number;
  route?: string;
  backend?: string;
  deployment?: string;
}

/** One active condition of a rule now: "GPU 0 of box1 is at 91 °C". */
export interface Observation {
  /** Stable per subject: "box1/gpu0", "route:claude-sonnet-4-5". */
  key: string;
  subject: Subject;
  message: string;
}

export interface Instance {
  key: string;
  subject: Subject;
  message: string;
  pendingSince: number;
  firingSince: number | null;
  /** The last notification of this firing; null while none was sent. */
  notifiedAt: number | null;
  /** Set when the condition cleared while a resolved notice still waits (quiet hours). */
  resolvedAt: number | null;
}

export type RuleState = Map<string, Instance>;

export interface Notification {
  state: "firing" | "resolved";
  /** A reminder of something already notified. */
  repeat: boolean;
  /** `notifiedAt` before this notification (the runner's claim checks nobody changed it). */
  prev: number | null;
  instance: Instance;
}

export interface Evaluation {
  /** Started firing now. */
  fired: Instance[];
  /** Cleared after firing (at their `resolvedAt`) and done with: their stored state goes. */
  resolved: Instance[];
  notifications: Notification[];
}

/** Advances one rule's state (in place) to `now`. */
export function evaluateRule(rule: Pick<AlertRule, "forMs" | "repeatMs" | "sendResolved">, state: RuleState, active: readonly Observation[], now: number, quiet: boolean): Evaluation {
  const out: Evaluation = { fired: [], resolved: [], notifications: [] };
  const seen = new Set<string>();
  for (const obs of active) {
    if (seen.has(obs.key)) continue;
    seen.add(obs.key);
    let inst = state.get(obs.key);
    if (!inst) {
      inst = { key: obs.key, subject: obs.subject, message: obs.message, pendingSince: now, firingSince: null, notifiedAt: null, resolvedAt: null };
      state.set(obs.key, inst);
    }
    inst.subject = obs.subject;
    inst.message = obs.message;
    // Back before its resolved notice went out (quiet hours): it simply goes on firing.
    inst.resolvedAt = null;
    if (inst.firingSince === null && now - inst.pendingSince >= rule.forMs) {
      inst.firingSince = now;
      out.fired.push(inst);
    }
    if (inst.firingSince === null || quiet) continue;
    const prev = inst.notifiedAt;
    if (prev === null || (rule.repeatMs !== null && now - prev >= rule.repeatMs)) {
      inst.notifiedAt = now;
      out.notifications.push({ state: "firing", repeat: prev !== null, prev, instance: inst });
    }
  }
  for (const [key, inst] of state) {
    if (seen.has(key)) continue;
    if (inst.firingSince === null) {
      state.delete(key);
      continue;
    }
    inst.resolvedAt ??= now;
    const owesNotice = inst.notifiedAt !== null && rule.sendResolved;
    if (owesNotice && quiet) continue;
    if (owesNotice) out.notifications.push({ state: "resolved", repeat: false, prev: inst.notifiedAt, instance: inst });
    state.delete(key);
    out.resolved.push(inst);
  }
  return out;
}
