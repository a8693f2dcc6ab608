/** What the sign-in page says when a sign-in fails: the same after a script-less form post (`?error=`) and in place. */
export const SIGN_IN_ERRORS = {
  invalid: "That token is not valid. Check SWITCHYARD_ADMIN_TOKEN (printed once at first start).",
  rate_limited: "Too many attempts. Wait a moment and try again.",
} as const;
