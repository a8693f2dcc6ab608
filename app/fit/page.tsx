"use client";
/**
 * VRAM fit: a model, engine and options against every GPU and GPU set of the fleet (measured free
 * memory), the selected place's breakdown, and the self-calibration's measured-vs-estimated table.
 * The form lives in the URL (?model=…&engine=…) so a view can be shared.
 */
import { useEffect, useState } from "react";
import type { FitEstimate, FitMatrixView } from "../../protocol/fit";
import { DashboardShell } from "../components/dashboard-shell";
import { ErrorBanner } from "../components/error-banner";
import { BreakdownBar } from "../components/fit/breakdown-bar";
import { CalibrationTable } from "../components/fit/calibration-table";
import { EMPTY_FIT_FORM, FitForm, toFitRequest, type FitFormValues } from "../components/fit/fit-form";
import { FitMatrix } from "../components/fit/fit-matrix";
import { formatSet, formatTokens, sum } from "../components/fit/fit-view";
import { useFitMatrix } from "../components/fit/use-fit-matrix";
import { VerdictBadge } from "../components/fit/verdict-badge";
import { cx } from "../lib/cx";
import { formatBytes } from "../lib/format";
import facts from "../styles/facts.module.css";
import panel from "../styles/panel.module.css";
import text from "../styles/text.module.css";
import styles from "./page.module.css";

const FIELDS = Object.keys(EMPTY_FIT_FORM) as (keyof FitFormValues)[];

function useFormInUrl(): [FitFormValues, (v: FitFormValues) => void] {
  const [value, setValue] = useState(EMPTY_FIT_FORM);
  useEffect(() => {
    const p = new URLSearchParams(window.location.search);
    const next = { ...EMPTY_FIT_FORM };
    for (const k of FIELDS) {
      const v = p.get(k);
      if (v !== null) (next as Record<string, string>)[k] = v;
    }
    setValue(next);
  }, []);
  const update = (v: FitFormValues) => {
    setValue(v);
    const url = new URL(window.location.href);
    for (const k of FIELDS) {
      if (v[k] && v[k] !== EMPTY_FIT_FORM[k]) url.searchParams.set(k, v[k]);
      else url.searchParams.delete(k);
    }
    window.history.replaceState(window.history.state, "", url);
  };
  return [value, update];
}

/** An estimate's parts: weights, KV cache, overhead, total, the largest context, per GPU, its warnings. */
function EstimateFacts({ estimate: e, maxContext }: { estimate: FitEstimate; maxContext?: number | null }) {
  return (
    <>
      <dl className={cx(facts.facts, styles.detail)} data-testid="fit-estimate-facts">
        <div className={facts.fact}><dt>Weights</dt><dd>{formatBytes(e.weightsBytes)} {e.precision}</dd></div>
        <div className={facts.fact}><dt>KV cache</dt><dd>{formatBytes(e.kvCacheBytes)} · {formatTokens(e.kvCacheTokens)} tokens</dd></div>
        <div className={facts.fact}><dt>Overhead</dt><dd>{formatBytes(e.overheadBytes)}</dd></div>
        <div className={facts.fact}><dt>Total</dt><dd data-testid="fit-total" data-bytes={e.totalBytes}>{formatBytes(e.totalBytes)}</dd></div>
        {maxContext !== undefined && <div className={facts.fact}><dt>Max context</dt><dd>{formatTokens(maxContext)}</dd></div>}
        <div className={facts.fact}><dt>Per GPU</dt><dd>{e.perGpu.map((g) => formatBytes(g.totalBytes)).join(" · ")}</dd></div>
      </dl>
      {e.warnings.length > 0 && (
        <ul className={styles.notes}>
          {e.warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
    </>
  );
}

/** No GPU has reported (a fleet of CPU boxes, or none yet): what the model needs, on its own. */
function EstimateAlone({ matrix }: { matrix: FitMatrixView }) {
  if (!matrix.estimate) return null;
  return (
    <section className={panel.panel} data-testid="fit-estimate-alone">
      <div className={panel.head}>
        <h2>What it needs</h2>
        <span className={cx(text.muted, text.small)}>No GPU has reported yet, so nothing to judge it against: add a GPU box to see where it fits.</span>
      </div>
      <EstimateFacts estimate={matrix.estimate} />
    </section>
  );
}

function Selected({ matrix, index }: { matrix: FitMatrixView; index: number }) {
  const c = matrix.cells[index];
  if (!c) return null;
  const e = c.estimate;
  return (
    <section className={panel.panel} data-testid="fit-selected">
      <div className={panel.head}>
        <h2>
          {c.node} · GPU{c.gpus.length > 1 ? "s" : ""} {formatSet(c.gpus)} <VerdictBadge verdict={c.verdict} />
        </h2>
        {c.reason && <span className={cx(text.muted, text.small)}>{c.reason}</span>}
      </div>
      {e ? (
        <>
          <BreakdownBar estimate={e} capacityBytes={sum(c.freeBytes)} label={`${matrix.model} on ${c.gpus.length} GPU${c.gpus.length > 1 ? "s" : ""}`} />
          <EstimateFacts estimate={e} maxContext={c.maxContext} />
        </>
      ) : (
        <p className={text.muted}>No estimate for this set.</p>
      )}
    </section>
  );
}

export default function FitPage() {
  const [form, setForm] = useFormInUrl();
  const request = toFitRequest(form);
  const q = useFitMatrix(request);
  const [picked, setPicked] = useState<number | null>(null);
  const matrix = request ? q.data : undefined;
  const selected = matrix ? (picked !== null && picked < matrix.cells.length ? picked : matrix.best ?? (matrix.cells.length ? 0 : null)) : null;
  useEffect(() => setPicked(null), [JSON.stringify(request)]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <DashboardShell>
      <section className={panel.panel}>
        <div className={panel.head}>
          <h2>Will it fit?</h2>
          <span className={cx(text.muted, text.small)}>Estimated for the engine, against each GPU's measured free memory (what other processes hold counts).</span>
        </div>
        <FitForm value={form} onChange={setForm} />
      </section>
      {q.isError && request && <ErrorBanner title="No estimate" detail={q.error.message} onRetry={() => void q.refetch()} />}
      {matrix && (
        <section className={panel.panel}>
          <div className={panel.head}>
            <h2>Where it fits</h2>
            <span className={cx(text.muted, text.small)} data-testid="fit-summary">
              {matrix.engine} · {matrix.precision} · ctx {formatTokens(matrix.ctx)}
              {matrix.parallel > 1 ? ` × ${matrix.parallel}` : ""} · KV {matrix.kvDtype} · facts: {matrix.facts.source}
              {q.isFetching ? " · updating…" : ""}
            </span>
          </div>
          <FitMatrix matrix={matrix} selected={selected} onSelect={setPicked} />
          {(matrix.warnings.length > 0 || matrix.uncertain.length > 0) && (
            <ul className={styles.notes} data-testid="fit-warnings">
              {matrix.warnings.map((w) => <li key={w}>{w}</li>)}
              {matrix.uncertain.map((u) => <li key={u} className={text.warnText}>uncertain: {u}</li>)}
            </ul>
          )}
        </section>
      )}
      {matrix && selected !== null && <Selected matrix={matrix} index={selected} />}
      {matrix && matrix.cells.length === 0 && <EstimateAlone matrix={matrix} />}
      <section className={panel.panel}>
        <div className={panel.head}>
          <h2>Measured vs estimated</h2>
          <span className={cx(text.muted, text.small)}>Ready deployments, measured through their processes' GPU memory.</span>
        </div>
        <CalibrationTable />
      </section>
    </DashboardShell>
  );
}
