"use client";
/**
 * React bindings for the live fleet: `useLiveFleet()` keeps the socket open while a page is
 * mounted; the selector hooks subscribe to exactly the slice a component shows.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useSyncExternalStore } from "react";
import type { GpuPoint, NodeView } from "../../protocol/live";
import { fleetStore, type FleetTotals } from "./fleet-store";
import { liveConnection, type LiveStatus } from "./live-connection";
import type { TimeRing } from "./series";

export function useLiveFleet(): LiveStatus {
  const queryClient = useQueryClient();
  useEffect(() => {
    liveConnection.acquire(queryClient);
    return () => liveConnection.release();
  }, [queryClient]);
  return useSyncExternalStore(liveConnection.subscribeStatus, liveConnection.getStatus, () => "connecting");
}

const NO_NAMES: readonly string[] = [];

export function useNodeNames(): readonly string[] {
  return useSyncExternalStore(fleetStore.subscribeNames, fleetStore.getNames, () => NO_NAMES);
}

export function useFleetLoaded(): boolean {
  return useSyncExternalStore(fleetStore.subscribeNames, fleetStore.isLoaded, () => false);
}

export function useNode(name: string): NodeView | undefined {
  const subscribe = useCallback((l: () => void) => fleetStore.subscribeNode(name, l), [name]);
  const get = useCallback(() => fleetStore.getNode(name), [name]);
  return useSyncExternalStore(subscribe, get, () => undefined);
}

export function useFleetTotals(): FleetTotals {
  return useSyncExternalStore(fleetStore.subscribeAny, fleetStore.getTotals, fleetStore.getTotals);
}

/** The GPU's ring plus its version, so a component re-renders when (only when) it changes. */
export function useGpuRing(uuid: string): { ring: TimeRing<GpuPoint>; version: number } {
  const ring = fleetStore.getRing(uuid);
  const subscribe = useCallback((l: () => void) => fleetStore.subscribeRing(uuid, l), [uuid]);
  const version = useSyncExternalStore(subscribe, () => ring.version, () => 0);
  return { ring, version };
}
