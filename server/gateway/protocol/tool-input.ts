/** Tool-call arguments: a JSON string on the OpenAI side, an object on the Anthropic side. */

/** The key under which arguments that are not a JSON object are handed on, unchanged. */
export const RAW_ARGUMENTS_KEY = "_raw_arguments";

/**
 * Models sometimes emit arguments that are truncated, not JSON, or JSON but not an object. Replacing
 * them with {} would run the tool with no input; passing the raw text under one key makes the client's
 * schema check fail with a message the model sees and can correct on its next turn.
 */
export function parseToolInput(args: string | null | undefined): Record<string, unknown> {
  if (args == null) return {};
  const text = args.trim();
  if (text === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through: hand the text on as it came
  }
  return { [RAW_ARGUMENTS_KEY]: args };
}
