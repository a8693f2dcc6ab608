/**
 * Vitest global setup: the folder of this run's throwaway PostgreSQL cluster (started lazily by
 * tests/helpers/postgres-cluster.ts), removed at the end of the run, on Ctrl-C or SIGTERM, and, at
 * the start of a later run, when a killed run left one behind.
 */
import type { TestProject } from "vitest/node";
import { makeRunDir, removeRunDir, staleRunDirs } from "./postgres-cluster";

declare module "vitest" {
  export interface ProvidedContext {
    postgresRunDir: string;
  }
}

export default function setup(project: TestProject) {
  for (const dir of staleRunDirs()) {
    try {
      removeRunDir(dir);
    } catch {
      // another run cleans it up
    }
  }
  const dir = makeRunDir();
  project.provide("postgresRunDir", dir);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    removeRunDir(dir);
  };
  process.once("exit", remove);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      remove();
      // Vitest's own handler (when it has one) ends the run; otherwise end it as the signal would.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
  return remove;
}
