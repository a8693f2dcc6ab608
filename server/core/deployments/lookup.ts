import { ServiceError } from "../errors";
import type { DeploymentsContext } from "./context";
import type { DeploymentRecord } from "./types";

export function recordOr404(ctx: DeploymentsContext, name: string): DeploymentRecord {
  const r = ctx.store.byName(name);
  if (!r) {
    const known = ctx.store.all().map((d) => d.name);
    throw new ServiceError("not_found", `no deployment named '${name}' (known: ${known.join(", ") || "none yet"})`);
  }
  return r;
}
