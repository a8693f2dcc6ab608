"use client";
/**
 * The sign-in form. It is a plain `POST /api/session` form first: pressed before this script has
 * loaded (a quick Enter, a password manager), or with scripts off, the server signs in and
 * redirects, and the token never lands in a URL. Once hydrated, it signs in with fetch instead and
 * shows errors in place.
 */
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../lib/api";
import { cx } from "../lib/cx";
import brand from "../styles/brand.module.css";
import button from "../styles/button.module.css";
import form from "../styles/form.module.css";
import text from "../styles/text.module.css";
import styles from "./page.module.css";
import { SIGN_IN_ERRORS } from "./messages";

export function LoginForm({ next, initialError }: { next: string; initialError: string | null }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!token.trim()) {
      setError("Enter the admin token.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.signIn(token.trim());
      window.location.assign(next);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 401) {
        setError(SIGN_IN_ERRORS.invalid);
      } else if (err instanceof ApiError && err.status === 429) {
        setError(SIGN_IN_ERRORS.rate_limited);
      } else {
        setError(err instanceof Error ? err.message : "Sign-in failed.");
      }
    }
  }

  return (
    <form className={styles.card} method="post" action="/api/session" onSubmit={onSubmit} noValidate>
      <div className={cx(brand.brand, brand.large)}>
        <span className={brand.mark} aria-hidden="true" />
        Switchyard
      </div>
      <p className={cx(text.muted, text.small)}>Sign in with the admin token to see your GPU fleet.</p>
      <input type="hidden" name="next" value={next} />
      <label htmlFor="token" className={text.label}>
        Admin token
      </label>
      <input
        id="token"
        name="token"
        type="password"
        autoComplete="current-password"
        autoFocus
        spellCheck={false}
        className={cx(form.input, error && form.hasError)}
        value={token}
        onChange={(e) => setToken(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "login-error" : undefined}
      />
      {error && (
        <p id="login-error" className={text.errorText} role="alert" data-testid="login-error">
          {error}
        </p>
      )}
      <button type="submit" className={cx(button.btn, button.primary)} disabled={busy} data-testid="login-submit">
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
