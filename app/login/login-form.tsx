"use client";
/**
 * The sign-in form. It is a plain `POST /api/session` form first: pressed before this script has
 * loaded (a quick Enter, a password manager), or with scripts off, the server signs in and
 * redirects, and the token never lands in a URL. Once hydrated, it signs in with fetch instead and
 * shows errors in place.
 */
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../lib/api";

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
        setError("That token is not valid. Check SWITCHYARD_ADMIN_TOKEN (printed once at first start).");
      } else if (err instanceof ApiError && err.status === 429) {
        setError("Too many attempts. Wait a moment and try again.");
      } else {
        setError(err instanceof Error ? err.message : "Sign-in failed.");
      }
    }
  }

  return (
    <form className="login-card" method="post" action="/api/session" onSubmit={onSubmit} noValidate>
      <div className="brand login-brand">
        <span className="brand-mark" aria-hidden="true" />
        Switchyard
      </div>
      <p className="muted small">Sign in with the admin token to see your GPU fleet.</p>
      <input type="hidden" name="next" value={next} />
      <label htmlFor="token" className="label">
        Admin token
      </label>
      <input
        id="token"
        name="token"
        type="password"
        autoComplete="current-password"
        autoFocus
        spellCheck={false}
        className={error ? "input has-error" : "input"}
        value={token}
        onChange={(e) => setToken(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "login-error" : undefined}
      />
      {error && (
        <p id="login-error" className="error-text" role="alert" data-testid="login-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="login-submit">
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
