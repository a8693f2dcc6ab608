/**
 * The sign-in page, rendered on the server so that the form carries `next` and the outcome of a
 * script-less sign-in (`?error=`) before any script runs.
 */
import { safeNextPath } from "../../lib/next-path";
import { LoginForm } from "./login-form";
import { SIGN_IN_ERRORS } from "./messages";
import styles from "./page.module.css";

const ERRORS: Record<string, string> = SIGN_IN_ERRORS;

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const error = typeof q.error === "string" ? (ERRORS[q.error] ?? null) : null;
  return (
    <main className={styles.login}>
      <LoginForm next={safeNextPath(q.next)} initialError={error} />
    </main>
  );
}
