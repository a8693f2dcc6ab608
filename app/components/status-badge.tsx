export function StatusBadge({ online }: { online: boolean }) {
  return (
    <span className={`badge ${online ? "badge-ok" : "badge-off"}`} data-testid="node-status" data-online={online}>
      <span className="badge-dot" aria-hidden="true" />
      {online ? "online" : "offline"}
    </span>
  );
}

/** Marks a demo box: its GPUs replay real captures and it runs no deployments. */
export function SimulatedBadge({ simulated }: { simulated: boolean | undefined }) {
  if (!simulated) return null;
  return (
    <span className="badge badge-muted" data-testid="node-simulated" title="A demo box: its GPUs replay captured nvidia-smi output; it runs no deployments">
      simulated
    </span>
  );
}
