export function ErrorBanner({ title, detail, onRetry }: { title: string; detail?: string; onRetry?: () => void }) {
  return (
    <div className="error-banner" role="alert" data-testid="api-error">
      <div>
        <strong>{title}</strong>
        {detail && <span className="muted"> — {detail}</span>}
      </div>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
