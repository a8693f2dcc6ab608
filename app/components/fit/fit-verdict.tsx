"use client";
/**
 * The fit verdict for a deploy, for the deploy form: where it fits (or that it will not), the
 * largest context, a breakdown bar. Give it the form's engine, model and options, and the node and
 * GPUs when chosen; `onVerdict` lets the form warn or ask before a deploy that will not fit.
 */
import { useEffect } from "react";
import type { FitRequest, FitVerdict as Verdict } from "../../../protocol/fit";
import { cx } from "../../lib/cx";
import { formatBytes } from "../../lib/format";
import text from "../../styles/text.module.css";
import { BreakdownBar } from "./breakdown-bar";
import { formatSet, formatTokens, sum } from "./fit-view";
export { deployFitRequest } from "./fit-view";
import { useFitVerdict } from "./use-fit-matrix";
import styles from "./fit-verdict.module.css";
import { VerdictBadge } from "./verdict-badge";

export interface FitVerdictProps {
  request: FitRequest | null;
  node?: string;
  gpus?: number[];
  /** Called with the verdict where it will run (null while unknown). */
  onVerdict?(verdict: Verdict | null): void;
}

export function FitVerdict({ request, node, gpus, onVerdict }: FitVerdictProps) {
  const { cell, matrix, isLoading, error } = useFitVerdict(request, { node, gpus });
  const verdict = cell?.verdict ?? (matrix && !cell ? "no" : null);
  useEffect(() => onVerdict?.(verdict), [verdict]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!request) return null;
  if (error) return <div className={cx(styles.box, text.muted)} data-testid="deploy-fit">No fit estimate: {error.message}</div>;
  if (isLoading || !matrix) return <div className={cx(styles.box, text.muted)} data-testid="deploy-fit">Estimating VRAM…</div>;
  if (!cell) {
    return (
      <div className={cx(styles.box, styles.warn)} data-testid="deploy-fit" data-verdict="no">
        <VerdictBadge verdict="no" /> It fits on none of the fleet's GPUs as asked: lower the context, use a smaller quant, or free a GPU.
      </div>
    );
  }
  const where = `${cell.node} GPU${cell.gpus.length > 1 ? "s" : ""} ${formatSet(cell.gpus)}`;
  const warn = cell.verdict === "no" || cell.verdict === "offline";
  return (
    <div className={cx(styles.box, warn && styles.warn)} data-testid="deploy-fit" data-verdict={cell.verdict}>
      <div>
        <VerdictBadge verdict={cell.verdict} /> on {where}
        {cell.estimate && <span className={text.muted}> · needs {formatBytes(cell.estimate.totalBytes)} · max context {formatTokens(cell.maxContext)}</span>}
      </div>
      {warn && cell.reason && <div className={cx(text.warnText, text.small)}>{cell.reason}</div>}
      {cell.estimate && <BreakdownBar estimate={cell.estimate} capacityBytes={sum(cell.freeBytes)} label="Estimate" />}
    </div>
  );
}
