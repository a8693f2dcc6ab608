/**
 * A notice: what one channel is told (firing, resolved, or a test), with the words every channel
 * kind shares: a title naming the rule and subject, and the message that names the cause.
 */
import { subjectLabel } from "../../../protocol/alerts";
import { formatDuration } from "../../../protocol/duration";
import type { Subject } from "./engine";
import type { RuleKind } from "./rule-kinds";

export interface Notice {
  rule: RuleKind | "test";
  ruleName: string;
  state: "firing" | "resolved";
  subject: Subject;
  message: string;
  at: number;
  /** When it started firing. */
  since: number | null;
  repeat: boolean;
  test: boolean;
}

/** Messages are bounded whatever the cause said (log lines, upstream errors). */
export const MAX_MESSAGE = 3000;

export function clip(text: string, max = MAX_MESSAGE): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function noticeTitle(n: Notice): string {
  if (n.test) return `Switchyard test notification (${n.ruleName})`;
  const state = n.state === "firing" ? (n.repeat ? "STILL FIRING" : "FIRING") : "RESOLVED";
  const label = subjectLabel(n.subject);
  return `[${state}] ${n.rule}${label ? `: ${label}` : ""}`;
}

/**
 * The resolved notice's message: what is fine again, and how long it was not. `lost`: its subject
 * was removed (a node, a deployment stopped) or its node went offline, which is not recovery.
 */
export function resolvedMessage(kind: RuleKind, subject: Subject, firingMessage: string, firedAt: number | null, resolvedAt: number, lost: "removed" | "offline" | null = null): string {
  const lasted = firedAt !== null ? ` after ${formatDuration(resolvedAt - firedAt)}` : "";
  const was = `; was: ${firingMessage.split("\n")[0]}`;
  if (lost === "removed" && subject.deployment) return `deployment ${subject.deployment} was stopped and removed${lasted}${was}`;
  if (lost === "removed" && subject.node) return `node ${subject.node} was removed from the fleet${lasted}${was}`;
  if (lost === "offline") return `no more data: node ${subject.node} went offline${lasted}${was}`;
  switch (kind) {
    case "node-offline": return `node ${subject.node} is back online${lasted}`;
    case "backend-down": return `backend ${subject.backend} is up again${lasted}`;
    case "failover": return `${subject.route} is served by its first target again${lasted}${was}`;
    case "deployment-failed": return `deployment ${subject.deployment} is running again${lasted}${was}`;
    default: return `back within the threshold${lasted}${was}`;
  }
}
