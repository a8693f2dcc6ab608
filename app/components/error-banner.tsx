import { cx } from "../lib/cx";
import button from "../styles/button.module.css";
import text from "../styles/text.module.css";
import styles from "./error-banner.module.css";

/** The red box around an error, whatever it holds (the deploy form puts the server's message in). */
export function ErrorBox({ testId, children }: { testId: string; children: React.ReactNode }) {
  return (
    <div className={styles.banner} role="alert" data-testid={testId}>
      {children}
    </div>
  );
}

export function ErrorBanner({ title, detail, onRetry }: { title: string; detail?: string; onRetry?: () => void }) {
  return (
    <ErrorBox testId="api-error">
      <div>
        <strong>{title}</strong>
        {detail && <span className={text.muted}> — {detail}</span>}
      </div>
      {onRetry && (
        <button type="button" className={cx(button.btn, button.small)} onClick={onRetry}>
          Retry
        </button>
      )}
    </ErrorBox>
  );
}
