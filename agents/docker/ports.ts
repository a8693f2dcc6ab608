/**
 * Host ports for deployments. A port is taken when something listens on it (any process, or
 * Docker's proxy for another container), when any container publishes it, or when a Switchyard
 * container holds it even while stopped (it will want it back on restart). Ports handed out but
 * not yet bound are held in memory until their container exists, so two deploys at once never
 * get the same one.
 */
import net from "node:net";

export interface PortRange {
  from: number;
  to: number;
}

export const DEFAULT_PORT_RANGE: PortRange = { from: 18080, to: 18999 };

/** `"18080-18999"` → range; null when malformed. */
export function parsePortRange(text: string | undefined): PortRange | null {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text ?? "");
  if (!m) return null;
  const from = Number(m[1]);
  const to = Number(m[2]);
  return from >= 1 && to <= 65535 && from <= to ? { from, to } : null;
}

/** The first port of the range that is in none of the sets, or null. */
export function firstFree(range: PortRange, ...taken: ReadonlyArray<ReadonlySet<number>>): number | null {
  for (let p = range.from; p <= range.to; p++) {
    if (!taken.some((s) => s.has(p))) return p;
  }
  return null;
}

/** Whether something already listens on the port (on any address). */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE" || err.code === "EACCES"));
    srv.listen({ port, host: "0.0.0.0", exclusive: true }, () => srv.close(() => resolve(false)));
  });
}

export interface PortAllocator {
  /** A free port: the asked one (checked) or one from the range. Held until `release`. */
  allocate(asked: number | undefined, dockerTaken: ReadonlySet<number>): Promise<number>;
  release(port: number): void;
}

export class PortInUseError extends Error {
  constructor(readonly port: number, readonly by: "docker" | "listener") {
    super(`port ${port} is in use`);
  }
}

export class NoFreePortError extends Error {}

export function createPortAllocator(range: PortRange, probe: (port: number) => Promise<boolean> = isListening): PortAllocator {
  const held = new Set<number>();
  return {
    async allocate(asked, dockerTaken) {
      if (asked !== undefined) {
        if (held.has(asked) || dockerTaken.has(asked)) throw new PortInUseError(asked, "docker");
        if (await probe(asked)) throw new PortInUseError(asked, "listener");
        held.add(asked);
        return asked;
      }
      const skipped = new Set<number>();
      for (;;) {
        const port = firstFree(range, held, dockerTaken, skipped);
        if (port === null) throw new NoFreePortError(`no free port in ${range.from}-${range.to}`);
        // Held before the probe's await: a concurrent allocation cannot pick the same port.
        held.add(port);
        if (!(await probe(port))) return port;
        held.delete(port);
        skipped.add(port);
      }
    },
    release: (port) => void held.delete(port),
  };
}
