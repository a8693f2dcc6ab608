/**
 * Open live log streams on the server side, keyed by the stream id the agent tags its lines with.
 * Lines count only from the node the stream was opened on: no other node can write into it.
 */
export interface LogSink {
  lines(lines: string[]): void;
  end(reason?: string): void;
}

export interface LogStreams {
  open(streamId: string, node: string, sink: LogSink): void;
  deliver(node: string, streamId: string, lines: string[]): void;
  /** Ends a stream from the agent's side. */
  end(node: string, streamId: string, reason?: string): void;
  /** Ends every stream of a node (its agent went away). */
  endNode(node: string, reason: string): void;
  /** Forgets a stream the client closed; true when it was open. */
  close(streamId: string): boolean;
  size(): number;
}

export function createLogStreams(): LogStreams {
  const open = new Map<string, { node: string; sink: LogSink }>();
  const finish = (streamId: string, reason?: string) => {
    const s = open.get(streamId);
    if (!s) return;
    open.delete(streamId);
    s.sink.end(reason);
  };
  return {
    open: (streamId, node, sink) => void open.set(streamId, { node, sink }),
    deliver(node, streamId, lines) {
      const s = open.get(streamId);
      if (s?.node === node) s.sink.lines(lines);
    },
    end(node, streamId, reason) {
      if (open.get(streamId)?.node === node) finish(streamId, reason);
    },
    endNode(node, reason) {
      for (const [id, s] of open) if (s.node === node) finish(id, reason);
    },
    close: (streamId) => open.delete(streamId),
    size: () => open.size,
  };
}
