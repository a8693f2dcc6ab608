"use client";
/**
 * Benchmarks: start one against any routable model (the server runs it through its own gateway),
 * follow it live, list every result with what it ran on, compare two side by side with charts
 * against concurrency, export JSON or CSV. `switchyard bench` lands in the same list.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { DashboardShell } from "../components/dashboard-shell";
import { ErrorBanner } from "../components/error-banner";
import { BenchCompare } from "../components/benchmarks/bench-compare";
import { BenchForm } from "../components/benchmarks/bench-form";
import { BenchList } from "../components/benchmarks/bench-list";
import { useBenchEvents } from "../components/benchmarks/use-bench-events";
import type { BenchmarkView } from "../../protocol/benchmarks";
import { benchmarkKeys, benchmarksApi } from "../lib/benchmarks-api";
import { modelsQuery } from "../lib/playground/chat-client";
import { cx } from "../lib/cx";
import button from "../styles/button.module.css";
import panel from "../styles/panel.module.css";
import text from "../styles/text.module.css";

export default function BenchmarksPage() {
  const client = useQueryClient();
  const models = useQuery(modelsQuery);
  const list = useQuery({ queryKey: benchmarkKeys.list, queryFn: benchmarksApi.list });
  const refresh = () => void client.invalidateQueries({ queryKey: benchmarkKeys.list });
  const benchmarks = useBenchEvents(list.data ?? [], refresh);
  const [selected, setSelected] = useState<string[]>([]);
  const start = useMutation({ mutationFn: benchmarksApi.start, onSuccess: refresh });
  const cancel = useMutation({ mutationFn: benchmarksApi.cancel, onSettled: refresh });
  const remove = useMutation({ mutationFn: benchmarksApi.remove, onSettled: refresh });
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-2)));
  const picked = selected.map((id) => benchmarks.find((b) => b.id === id)).filter((b): b is BenchmarkView => b !== undefined && b.runs.length > 0);

  return (
    <DashboardShell>
      {list.isError && <ErrorBanner title="Could not load the benchmarks" detail={list.error.message} onRetry={() => void list.refetch()} />}
      {(cancel.isError || remove.isError) && <ErrorBanner title="That did not work" detail={(cancel.error ?? remove.error)!.message} />}
      <section className={panel.panel}>
        <header className={panel.head}>
          <h2>Run a benchmark</h2>
          <span className={cx(text.muted, text.small)}>through the gateway, as clients see it: time to first token, decode speed per request, total throughput</span>
        </header>
        <BenchForm models={models.data ?? []} onStart={(b) => start.mutate(b)} pending={start.isPending} error={start.isError ? start.error.message : null} />
      </section>
      <section className={panel.panel}>
        <header className={panel.head}>
          <h2>Results</h2>
          <span className={cx(text.muted, text.small)}>tick two to compare</span>
          <span className={panel.headAction}>
            <a className={cx(button.btn, button.small)} href={benchmarksApi.exportAllUrl("csv")} download>Export all (CSV)</a>{" "}
            <a className={cx(button.btn, button.small)} href={benchmarksApi.exportAllUrl("json")} download>JSON</a>
          </span>
        </header>
        {list.isPending ? <p className={text.muted}>Loading…</p> : (
          <BenchList list={benchmarks} selected={selected} onToggle={toggle} onCancel={(id) => cancel.mutate(id)} onRemove={(id) => { setSelected((s) => s.filter((x) => x !== id)); remove.mutate(id); }} />
        )}
      </section>
      {picked.length > 0 && (
        <section className={panel.panel}>
          <header className={panel.head}>
            <h2>{picked.length > 1 ? "Comparison" : "Result"}</h2>
          </header>
          <BenchCompare picked={picked} />
        </section>
      )}
    </DashboardShell>
  );
}
