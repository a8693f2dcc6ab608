// Preloaded into the measured server (`node --import ./bench/memory/probe.mjs`): on SIGUSR2 it
// writes the process's own picture of its memory to BENCH_MEMORY_PROBE_OUT, and a heap snapshot
// beside it when BENCH_MEMORY_SNAPSHOT is set. Plain JS, so that it adds no loader of its own.
import fs from "node:fs";
import Module from "node:module";
import v8 from "node:v8";

process.on("SIGUSR2", () => {
  const before = process.memoryUsage();
  globalThis.gc?.();
  const after = process.memoryUsage();
  const byPackage = {};
  const cjs = Object.keys(Module._cache);
  for (const file of cjs) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : "(project)";
    byPackage[key] = (byPackage[key] ?? 0) + 1;
  }
  const out = process.env.BENCH_MEMORY_PROBE_OUT;
  const snapshot = process.env.BENCH_MEMORY_SNAPSHOT ? v8.writeHeapSnapshot(`${out}.heapsnapshot`) : null;
  fs.writeFileSync(out, JSON.stringify({ before, after, spaces: v8.getHeapSpaceStatistics(), cjsModules: cjs.length, byPackage, snapshot }));
});
