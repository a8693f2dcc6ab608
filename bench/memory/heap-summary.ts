/**
 * Where a V8 heap snapshot's bytes are: by node type, and two owners that dominate a Node server
 * that loads a lot of code: the sources of loaded scripts (kept for lazy compilation and
 * Function#toString) and source maps Node caches while source maps are enabled.
 */
import fs from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapSummary {
  totalBytes: number;
  byType: Array<[string, number]>;
  scriptSourceBytes: number;
  sourceMapBytes: number;
}

export function summarizeHeap(file: string): HeapSummary {
  const snap = JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot;
  const { node_fields: nf, edge_fields: ef, node_types: [nodeTypes], edge_types: [edgeTypes] } = snap.snapshot.meta;
  const { nodes, edges, strings } = snap;
  const N = nf.length;
  const E = ef.length;
  const count = nodes.length / N;
  const [ti, ni, si, eci] = ["type", "name", "self_size", "edge_count"].map((f) => nf.indexOf(f)) as [number, number, number, number];
  const [eti, eni, eto] = ["type", "name_or_index", "to_node"].map((f) => ef.indexOf(f)) as [number, number, number];
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += nodes[i * N + eci]! * E;
    firstEdge[i + 1] = e;
  }
  const typeOf = (i: number) => nodeTypes[nodes[i * N + ti]!]!;
  const size = (i: number) => nodes[i * N + si]!;
  const edgeName = (e: number) => {
    const t = edgeTypes[edges[e + eti]!];
    return t === "element" || t === "hidden" ? "" : strings[edges[e + eni]!]!;
  };

  const byType = new Map<string, number>();
  let totalBytes = 0;
  for (let i = 0; i < count; i++) {
    totalBytes += size(i);
    byType.set(typeOf(i), (byType.get(typeOf(i)) ?? 0) + size(i));
  }

  // Scripts are `code` nodes whose internal edge `source` holds their text.
  const sources = new Set<number>();
  // A source map's data: what hangs off an object with `mappings` (plain objects, arrays, strings).
  const mapData = new Set<number>();
  const collect = (root: number) => {
    const stack = [root];
    while (stack.length) {
      const i = stack.pop()!;
      if (mapData.has(i)) continue;
      mapData.add(i);
      for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += E) {
        const to = edges[e + eto]! / N;
        if (edgeTypes[edges[e + eti]!] === "weak") continue;
        const t = typeOf(to);
        const plain = t === "object" && (strings[nodes[to * N + ni]!] === "Object" || strings[nodes[to * N + ni]!] === "Array");
        if (t === "string" || t === "concatenated string" || t === "sliced string" || t === "array" || plain) stack.push(to);
      }
    }
  };
  for (let i = 0; i < count; i++) {
    const t = typeOf(i);
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += E) {
      const name = edgeName(e);
      if (t === "code" && name === "source") sources.add(edges[e + eto]! / N);
      else if (t === "object" && name === "mappings") collect(i);
    }
  }
  const sum = (s: Set<number>) => [...s].reduce((a, i) => a + size(i), 0);
  return {
    totalBytes,
    byType: [...byType].sort((a, b) => b[1] - a[1]),
    scriptSourceBytes: sum(sources),
    sourceMapBytes: sum(mapData),
  };
}
