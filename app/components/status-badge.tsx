import { Badge } from "./badge";

export function StatusBadge({ online }: { online: boolean }) {
  return (
    <Badge tone={online ? "ok" : "offline"} dot data-testid="node-status" data-online={online}>
      {online ? "online" : "offline"}
    </Badge>
  );
}

/** Marks a demo box: its GPUs replay real captures and it runs no deployments. */
export function SimulatedBadge({ simulated }: { simulated: boolean | undefined }) {
  if (!simulated) return null;
  return (
    <Badge tone="muted" data-testid="node-simulated" title="A demo box: its GPUs replay captured nvidia-smi output; it runs no deployments">
      simulated
    </Badge>
  );
}
