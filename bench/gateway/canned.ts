/** The canned answers of `bench:gateway`'s upstream: one completion, one short SSE stream. */

export const COMPLETION = JSON.stringify({
  id: "chatcmpl-bench", object: "chat.completion", created: 1, model: "canned-model",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello! I am a canned reply, the same every time." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 },
});

const chunk = (delta: unknown, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "canned-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

export const STREAM = [chunk({ role: "assistant", content: "Hello" }), ...["!", " I am", " a canned", " stream."].map((t) => chunk({ content: t })), chunk({}, "stop"), "data: [DONE]\n\n"].join("");
