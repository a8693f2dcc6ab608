"use client";
/**
 * Live progress of the running benchmarks: one EventSource each (GET /api/benchmarks/ID/events, the
 * session cookie), merged into the listed views; the list is refetched when one ends.
 */
import { useEffect, useState } from "react";
import type { BenchmarkProgress, BenchmarkView, BenchRun } from "../../../protocol/benchmarks";
import { benchmarksApi } from "../../lib/benchmarks-api";

type Live = Record<string, { progress: BenchmarkProgress | null; runs: BenchRun[] }>;

export function useBenchEvents(list: readonly BenchmarkView[], onEnd: () => void): BenchmarkView[] {
  const [live, setLive] = useState<Live>({});
  const runningIds = list.filter((b) => b.state === "running").map((b) => b.id).join(",");
  useEffect(() => {
    const sources = runningIds ? runningIds.split(",").map((id) => {
      const es = new EventSource(benchmarksApi.eventsUrl(id));
      const patch = (f: (cur: Live[string]) => Live[string]) => setLive((l) => ({ ...l, [id]: f(l[id] ?? { progress: null, runs: [] }) }));
      es.addEventListener("progress", (e) => patch((cur) => ({ ...cur, progress: JSON.parse((e as MessageEvent<string>).data) as BenchmarkProgress })));
      es.addEventListener("run", (e) => patch((cur) => ({ ...cur, runs: [...cur.runs, JSON.parse((e as MessageEvent<string>).data) as BenchRun] })));
      es.addEventListener("end", () => {
        es.close();
        onEnd();
      });
      return es;
    }) : [];
    return () => sources.forEach((es) => es.close());
    // onEnd is a refetch: stable enough; a new list of running ids reopens the streams.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runningIds]);
  return list.map((b) => {
    const l = live[b.id];
    if (!l || b.state !== "running") return b;
    return { ...b, progress: l.progress ?? b.progress, runs: l.runs.length > b.runs.length ? l.runs : b.runs };
  });
}
