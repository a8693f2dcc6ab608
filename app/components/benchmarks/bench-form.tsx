"use client";
/** Start a benchmark: model, concurrency levels, requests, prompt and output length (bounds as the API's). */
import { useState } from "react";
import { BENCH_DEFAULTS, BENCH_LIMITS, type BenchmarkRequest } from "../../../protocol/benchmarks";
import { parseLevels } from "../../lib/benchmarks-api";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import form from "../../styles/form.module.css";
import text from "../../styles/text.module.css";
import styles from "./benchmarks.module.css";

export function BenchForm({ models, onStart, pending, error }: { models: readonly string[]; onStart(body: BenchmarkRequest): void; pending: boolean; error: string | null }) {
  const [model, setModel] = useState("");
  const [levels, setLevels] = useState("1,4,16");
  const [requests, setRequests] = useState("");
  const [promptTokens, setPromptTokens] = useState(String(BENCH_DEFAULTS.promptTokens));
  const [maxTokens, setMaxTokens] = useState(String(BENCH_DEFAULTS.maxTokens));
  const chosen = model || models[0] || "";
  const concurrency = parseLevels(levels);
  const whole = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v) : undefined);
  const problem = !chosen ? "no routable model yet"
    : !concurrency || concurrency.length > BENCH_LIMITS.maxLevels || concurrency.some((c) => c < 1 || c > BENCH_LIMITS.maxConcurrency)
      ? `concurrency: up to ${BENCH_LIMITS.maxLevels} whole numbers from 1 to ${BENCH_LIMITS.maxConcurrency}, e.g. 1,4,16` : null;
  return (
    <form
      className={styles.form}
      onSubmit={(e) => {
        e.preventDefault();
        if (problem || !concurrency) return;
        const body: BenchmarkRequest = { model: chosen, concurrency };
        const r = whole(requests);
        const p = whole(promptTokens);
        const m = whole(maxTokens);
        if (r) body.requests = r;
        if (p) body.promptTokens = p;
        if (m) body.maxTokens = m;
        onStart(body);
      }}
      data-testid="bench-form"
    >
      <div className={styles.field}>
        <label htmlFor="bench-f-model" className={text.label}>Model</label>
        <select id="bench-f-model" className={cx(form.input, form.compact)} value={chosen} onChange={(e) => setModel(e.target.value)} data-testid="bench-model">
          {models.map((m) => <option key={m} value={m}>{m}</option>)}
        </select>
      </div>
      <div className={styles.field}>
        <label htmlFor="bench-f-concurrency" className={text.label}>Concurrency</label>
        <input id="bench-f-concurrency" className={cx(form.input, form.compact)} value={levels} onChange={(e) => setLevels(e.target.value)} data-testid="bench-concurrency" />
      </div>
      <div className={styles.field}>
        <label htmlFor="bench-f-requests-per-level" className={text.label}>Requests per level</label>
        <input id="bench-f-requests-per-level" className={cx(form.input, form.compact)} value={requests} placeholder="max(10, 2 × c)" onChange={(e) => setRequests(e.target.value)} data-testid="bench-requests" />
      </div>
      <div className={styles.field}>
        <label htmlFor="bench-f-prompt-tokens" className={text.label}>Prompt tokens</label>
        <input id="bench-f-prompt-tokens" className={cx(form.input, form.compact)} value={promptTokens} onChange={(e) => setPromptTokens(e.target.value)} data-testid="bench-prompt-tokens" />
      </div>
      <div className={styles.field}>
        <label htmlFor="bench-f-max-tokens" className={text.label}>Max tokens</label>
        <input id="bench-f-max-tokens" className={cx(form.input, form.compact)} value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} data-testid="bench-max-tokens" />
      </div>
      <div className={styles.submit}>
        <button type="submit" className={cx(button.btn, button.primary)} disabled={pending || problem !== null} data-testid="bench-start">
          {pending ? "Starting…" : "Run benchmark"}
        </button>
      </div>
      {(problem || error) && <p className={cx(text.small, error ? text.errorText : text.muted, styles.formNote)}>{error ?? problem}</p>}
    </form>
  );
}
