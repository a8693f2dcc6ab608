/** The rule kinds and their facts live in protocol/alerts.ts (the dashboard's form uses them too). */
export { KIND_FACTS, RULE_KINDS, type AlertRuleKind as RuleKind } from "../../../protocol/alerts";

/** deployment-failed: this many restarts within the window count as a restart loop. */
export const DEFAULT_LOOP_RESTARTS = 3;
export const DEFAULT_LOOP_WINDOW_MS = 10 * 60_000;
