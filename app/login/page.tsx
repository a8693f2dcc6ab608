"use client";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../lib/api";
import { cx } from "../lib/cx";
import brand from "../styles/brand.module.css";
import button from "../styles/button.module.css";
import form from "../styles/form.module.css";
import text from "../styles/text.module.css";
import styles from "./page.module.css";

/** Only same-origin paths, so `?next=` cannot send a signed-in admin elsewhere. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/";
}

export default function LoginPage() {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
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
      window.location.assign(nextPath());
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 401) {
        setError("That token is not valid. Check SWITCHYARD_ADMIN_TOKEN (printed once at first start).");
      } else if (err instanceof ApiError && err.status === 429) {
        setError("Too many attempts. Wait a moment and try again.");
      } else {
        setError(err instanceof Error ? err.message : "Sign-in failed.");
      }
    }
  }

  return (
    <main className={styles.login}>
      <form className={styles.card} onSubmit={onSubmit} noValidate>
        <div className={cx(brand.brand, brand.large)}>
          <span className={brand.mark} aria-hidden="true" />
          Switchyard
        </div>
        <p className={cx(text.muted, text.small)}>Sign in with the admin token to see your GPU fleet.</p>
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
    </main>
  );
}
