/** Driver trouble and other agent warnings: shown in full, above the GPUs they affect. */
export function NodeWarnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <div className="warnings" data-testid="node-warnings" role="alert">
      <span className="warnings-icon" aria-hidden="true">
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
