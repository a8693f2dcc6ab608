/**
 * Wires deployments into the agent's connection: server requests (validated here, at the edge)
 * go to the deployer; its reports go out as events; after every (re)connection the agent adopts
 * and announces what it runs. Docker being absent is not fatal: requests then say why.
 */
import {
  DEPLOY_ACTIONS, deploySpecSchema, followPayloadSchema, idPayloadSchema, logsPayloadSchema, unfollowPayloadSchema,
} from "../../protocol/deployments";
import type { Logger } from "../../lib/logger";
import { AgentRequestError, type AgentConnection } from "../connection";
import { createDeployer, type Deployer } from "./deployer";
import { createDockerAdapter } from "./docker-adapter";
import { DEFAULT_PORT_RANGE, parsePortRange } from "./ports";

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, payload: unknown): T {
  const r = schema.safeParse(payload);
  if (!r.success) throw new AgentRequestError("bad_request", `malformed request: ${r.error.message.slice(0, 300)}`);
  return r.data;
}

export function handleDeployAction(deployer: Deployer, action: string, payload: unknown): Promise<unknown> {
  switch (action) {
    case DEPLOY_ACTIONS.create:
      return deployer.create(parse(deploySpecSchema, payload));
    case DEPLOY_ACTIONS.stop:
      return deployer.stop(parse(idPayloadSchema, payload).id);
    case DEPLOY_ACTIONS.restart:
      return deployer.restart(parse(idPayloadSchema, payload).id);
    case DEPLOY_ACTIONS.sleep:
      return deployer.sleep(parse(idPayloadSchema, payload).id);
    case DEPLOY_ACTIONS.wake:
      return deployer.wake(parse(idPayloadSchema, payload).id);
    case DEPLOY_ACTIONS.list:
      return Promise.resolve(deployer.list());
    case DEPLOY_ACTIONS.logs: {
      const p = parse(logsPayloadSchema, payload);
      return deployer.logs(p.id, p.tail);
    }
    case DEPLOY_ACTIONS.follow: {
      const p = parse(followPayloadSchema, payload);
      return deployer.follow(p.id, p.tail, p.streamId);
    }
    case DEPLOY_ACTIONS.unfollow:
      return Promise.resolve(deployer.unfollow(parse(unfollowPayloadSchema, payload).streamId));
    default:
      return Promise.reject(new AgentRequestError("bad_request", `this agent does not know the action '${action}': update it`));
  }
}

export function startDeployments(connection: AgentConnection, node: string, log: Logger): { stop(): void } {
  const range = parsePortRange(process.env.SWITCHYARD_PORT_RANGE) ?? DEFAULT_PORT_RANGE;
  const dlog = log.child({ part: "deployer" });
  const deployer = createDeployer({
    node, log: dlog, docker: createDockerAdapter(node), portRange: range,
    emit: (event, payload) => connection.sendEvent(event, payload),
  });
  connection.onRequest((action, payload) => handleDeployAction(deployer, action, payload));
  connection.onConnected(() => void deployer.announce());
  // Supervision of what already runs resumes at once, connected or not.
  void deployer.adoptAll().catch((err: Error) => dlog.warn({ err: err.message }, "Docker is not reachable: deployments are unavailable until it is"));
  return { stop: () => deployer.close() };
}
