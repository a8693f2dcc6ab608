export function StatusBadge({ online }: { online: boolean }) {
  return (
    <span className={`badge ${online ? "badge-ok" : "badge-off"}`} data-testid="node-status" data-online={online}>
      <span className="badge-dot" aria-hidden="true" />
      {online ? "online" : "offline"}
    </span>
  );
}
