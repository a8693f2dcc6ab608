"use client";
/**
 * React bindings for the live fleet: `useLiveFleet()` keeps the socket open while a page is
 * mounted; the selector hooks subscribe to exactly the slice a component shows.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useSyncExternalStore } from "react";
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

const noSubscription = () => () => undefined;

/**
 * The node's newest view. With `live` false the component keeps what it last showed and is not
 * re-rendered by updates (an off-screen card); it catches up when `live` turns true.
 */
export function useNode(name: string, live = true): NodeView | undefined {
  const shown = useRef<NodeView | undefined>(undefined);
  const subscribe = useCallback((l: () => void) => (live ? fleetStore.subscribeNode(name, l) : noSubscription()), [name, live]);
  const get = useCallback(() => {
    if (live || shown.current?.name !== name) shown.current = fleetStore.getNode(name);
    return shown.current;
  }, [name, live]);
  return useSyncExternalStore(subscribe, get, () => undefined);
}

export function useFleetTotals(): FleetTotals {
  return useSyncExternalStore(fleetStore.subscribeAny, fleetStore.getTotals, fleetStore.getTotals);
}

/**
 * The GPU's ring plus its version, so a component re-renders when (only when) it changes; with
 * `live` false it keeps the version it last showed.
 */
export function useGpuRing(uuid: string, live = true): { ring: TimeRing<GpuPoint>; version: number } {
  const ring = fleetStore.getRing(uuid);
  const shown = useRef(ring.version);
  const subscribe = useCallback((l: () => void) => (live ? fleetStore.subscribeRing(uuid, l) : noSubscription()), [uuid, live]);
  const get = useCallback(() => {
    if (live) shown.current = ring.version;
    return shown.current;
  }, [ring, live]);
  const version = useSyncExternalStore(subscribe, get, () => 0);
  return { ring, version };
}
