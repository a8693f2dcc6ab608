import { EnrollPanel } from "./enroll-panel";
import { cx } from "../lib/cx";
import panel from "../styles/panel.module.css";
import text from "../styles/text.module.css";

export function EmptyFleet() {
  return (
    <section className={cx(panel.panel, panel.empty)} data-testid="empty-state">
      <h2>No GPU boxes yet</h2>
      <p className={text.muted}>
        Switchyard shows every GPU of every machine that runs its agent. Add the first one:
      </p>
      <EnrollPanel />
    </section>
  );
}
