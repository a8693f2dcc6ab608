/**
 * Adapter in front of the protocol core's Anthropic request schema (which takes only user and
 * assistant turns): Claude Code 2.1 also sends `{"role": "system", …}` turns inside `messages`
 * (agent lists, reminders) when the model is not one it knows. Their text joins the top-level
 * system prompt, in order, so the request validates and nothing the client said is lost.
 */

type Json = Record<string, unknown>;

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b) => (b && typeof b === "object" && typeof (b as Json).text === "string" ? ((b as Json).text as string) : "")).filter(Boolean).join("\n");
}

const isSystem = (m: unknown): boolean => !!m && typeof m === "object" && (m as Json).role === "system";

export function hoistSystemTurns(body: unknown): unknown {
  if (!body || typeof body !== "object" || !Array.isArray((body as Json).messages)) return body;
  const req = body as Json;
  const messages = req.messages as unknown[];
  if (!messages.some(isSystem)) return body;
  const extra = messages.filter(isSystem).map((m) => textOf((m as Json).content)).filter(Boolean);
  const system = req.system;
  const blocks = typeof system === "string" ? (system ? [{ type: "text", text: system }] : []) : Array.isArray(system) ? [...system] : [];
  for (const text of extra) blocks.push({ type: "text", text });
  return { ...req, system: blocks, messages: messages.filter((m) => !isSystem(m)) };
}
