import styles from "./node-warnings.module.css";

/** Driver trouble and other agent warnings: shown in full, above the GPUs they affect. */
export function NodeWarnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <div className={styles.warnings} data-testid="node-warnings" role="alert">
      <span className={styles.icon} aria-hidden="true">
        ⚠
      </span>
      <ul>
        {warnings.map((w, i) => (
          <li key={`${i}:${w}`}>{w}</li>
        ))}
      </ul>
    </div>
  );
}
