"use client";
/**
 * The fit matrix for a request, refreshed while free VRAM changes, and the verdict for one place
 * (a node and GPUs, or the best place): what the fit page and the deploy form read.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { FitMatrixCell, FitMatrixView, FitRequest } from "../../../protocol/fit";
import { fitApi, fitKeys } from "../../lib/fit-api";

/** Free VRAM moves with every deployment: the matrix is asked again this often. */
const REFRESH_MS = 10_000;

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [JSON.stringify(value), ms]); // eslint-disable-line react-hooks/exhaustive-deps
  return v;
}

export function useFitMatrix(req: FitRequest | null, debounceMs = 400) {
  const debounced = useDebounced(req, debounceMs);
  const ready = !!debounced && debounced.model.trim() !== "";
  return useQuery({
    queryKey: fitKeys.matrix(debounced ?? { model: "" }),
    queryFn: ({ signal }) => fitApi.matrix(debounced!, signal),
    enabled: ready,
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
    staleTime: 0,
  });
}

export interface PlaceVerdict {
  /** The cell for the place asked (node and GPUs), or the best place when none was asked. */
  cell: FitMatrixCell | null;
  matrix: FitMatrixView | undefined;
  isLoading: boolean;
  error: Error | null;
}

/** For the deploy form: the verdict where it will run (`node`/`gpus` when chosen, else the best place). */
export function useFitVerdict(req: FitRequest | null, place?: { node?: string; gpus?: number[] }): PlaceVerdict {
  const q = useFitMatrix(req);
  const m = q.data;
  let cell: FitMatrixCell | null = null;
  if (m) {
    const same = (c: FitMatrixCell) =>
      (!place?.node || c.node === place.node) && (!place?.gpus?.length || (c.gpus.length === place.gpus.length && c.gpus.every((g, i) => g === [...place.gpus!].sort((a, b) => a - b)[i])));
    const asked = place?.node || place?.gpus?.length ? m.cells.filter(same) : [];
    cell = asked.length ? (asked.find((c) => c.verdict === "fits" || c.verdict === "tight") ?? asked[0]!) : m.best === null ? null : m.cells[m.best]!;
  }
  return { cell, matrix: m, isLoading: q.isLoading, error: q.error };
}
