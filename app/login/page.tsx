/**
 * The sign-in page, rendered on the server so that the form carries `next` and the outcome of a
 * script-less sign-in (`?error=`) before any script runs.
 */
import { safeNextPath } from "../../lib/next-path";
import { LoginForm } from "./login-form";

const ERRORS: Record<string, string> = {
  invalid: "That token is not valid. Check SWITCHYARD_ADMIN_TOKEN (printed once at first start).",
  rate_limited: "Too many attempts. Wait a moment and try again.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const error = typeof q.error === "string" ? (ERRORS[q.error] ?? null) : null;
  return (
    <main className="login">
      <LoginForm next={safeNextPath(q.next)} initialError={error} />
    </main>
  );
}
