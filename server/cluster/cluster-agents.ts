/**
 * The agents of the whole control plane, as the core sees them (the deployments' AgentLink, the
 * API's way to cut a node off): a node connected here is asked through this server's hub; one
 * connected to another server, through the relay to that server. "Connected" means connected to
 * any live server, and a node's address is the one its holder sees.
 *
 * Also kept here: this server's claims on the nodes it holds (presence), closing a local socket
 * whose agent has since connected to another server, and cutting a revoked node off on whichever
 * server holds it, by message rather than by the periodic credential re-check.
 */
import { z } from "zod";
import type { Logger } from "../../lib/logger";
import type { Fleet } from "../core/fleet";
import type { AgentEventListener, AgentHub } from "../hub/agent-hub";
import type { Bus } from "./bus";
import type { Presence } from "./presence";
import type { Relay } from "./relay";

const cutSchema = z.object({ name: z.string().min(1).max(128), reason: z.string().max(300) });
/** How long removing a node waits for its holder to close the socket and the fleet to show it offline. */
const CUT_WAIT_MS = 5000;

export interface ClusterAgents {
  request(nodeName: string, action: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
  isConnected(nodeName: string): boolean;
  remoteAddress(nodeName: string): string | null;
  onEvent(listener: AgentEventListener): () => void;
  /** Closes the node's socket on whichever server holds it; resolves once it is offline here. */
  cutOff(nodeName: string, reason: string): Promise<void>;
  close(): void;
}

export function clusterAgents(deps: { hub: AgentHub; presence: Presence; relay: Relay; bus: Bus; fleet: Fleet; log: Logger }): ClusterAgents {
  const { hub, presence, relay, bus, fleet, log } = deps;

  const offPresence = hub.onPresence((name, address) => {
    presence.local(name, address);
    if (address === null) relay.localGone(name);
  });
  // Two sockets for one node on two servers: the newer one wins, as on one server.
  const offMoved = presence.onChange((node, holder, since) => {
    if (holder === null || !hub.isConnected(node)) return;
    const mine = presence.localSince(node);
    if (mine !== null && since > mine) {
      log.info({ node, to: holder }, "the node's agent connected to another server: closing its socket here");
      hub.replace(node);
    }
  });
  const offCut = bus.subscribe("node.cut", cutSchema, ({ name, reason }) => {
    if (hub.isConnected(name)) void hub.cutOff(name, reason).catch((err) => log.error({ err, node: name }, "cutting a node off failed"));
  });

  const isConnected = (name: string) => hub.isConnected(name) || presence.holderOf(name) !== null;

  return {
    request(name, action, payload, timeoutMs = 30_000) {
      if (hub.isConnected(name)) return hub.request(name, action, payload, timeoutMs);
      const holder = presence.holderOf(name);
      if (holder) return relay.request(holder, name, action, payload, timeoutMs);
      return hub.request(name, action, payload, timeoutMs); // refuses: the node is offline
    },
    isConnected,
    remoteAddress: (name) => hub.remoteAddress(name) ?? presence.addressOf(name),
    onEvent(listener) {
      const offLocal = hub.onEvent(listener);
      const offRelayed = relay.onEvent(listener);
      return () => {
        offLocal();
        offRelayed();
      };
    },
    async cutOff(name, reason) {
      await bus.publish("node.cut", { name, reason }).catch((err: Error) => log.warn({ node: name, err: err.message }, "could not tell the other servers to cut a node off (their periodic check will)"));
      await hub.cutOff(name, reason);
      presence.forget(name);
      const deadline = Date.now() + CUT_WAIT_MS;
      while (Date.now() < deadline && (isConnected(name) || fleet.get(name)?.online)) await new Promise((r) => setTimeout(r, 50));
      // Its holder did not say it went (dead, or the database is down): offline here regardless.
      const id = fleet.idOf(name);
      if (id && fleet.get(name)?.online && !hub.isConnected(name)) await fleet.disconnect(id);
    },
    close() {
      offPresence();
      offMoved();
      offCut();
    },
  };
}
