import { EnrollPanel } from "./enroll-panel";

export function EmptyFleet() {
  return (
    <section className="empty panel" data-testid="empty-state">
      <h2>No GPU boxes yet</h2>
      <p className="muted">
        Switchyard shows every GPU of every machine that runs its agent. Add the first one:
      </p>
      <EnrollPanel />
    </section>
  );
}
