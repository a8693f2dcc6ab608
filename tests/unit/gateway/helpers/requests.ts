/** Request bodies shaped like those real clients send (Claude Code's, abridged). */

export const READ_TOOL = {
  name: "Read",
  description: "Reads a file from the local filesystem.",
  input_schema: {
    type: "object",
    properties: { file_path: { type: "string", description: "The absolute path to the file to read" }, limit: { type: "number" } },
    required: ["file_path"],
    additionalProperties: false,
    $schema: "http://json-schema.org/draft-07/schema#",
  },
};

/** A Claude Code turn: system blocks with cache_control, a tool loop, thinking, metadata, beta fields. */
export function claudeCodeRequest(): Record<string, unknown> {
  return {
    model: "claude-sonnet-4-5",
    max_tokens: 32000,
    stream: true,
    system: [
      { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: "ephemeral" } },
      { type: "text", text: "Use the tools to answer.", cache_control: { type: "ephemeral" } },
    ],
    tools: [READ_TOOL, { type: "web_search_20250305", name: "web_search", max_uses: 5 }],
    tool_choice: { type: "auto" },
    thinking: { type: "enabled", budget_tokens: 31999 },
    metadata: { user_id: "user_abc_account__session_123" },
    context_management: { edits: [] },
    messages: [
      { role: "user", content: [{ type: "text", text: "<system-reminder>ctx</system-reminder>" }, { type: "text", text: "What is in a.ts?", cache_control: { type: "ephemeral" } }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "I should read it.", signature: "EqQBCgIYAhIM" },
          { type: "text", text: "Reading." },
          { type: "tool_use", id: "toolu_01", name: "Read", input: { file_path: "/src/a.ts" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_01", content: [{ type: "text", text: "export const a = 1;" }] },
          { type: "text", text: "Explain it." },
        ],
      },
    ],
  };
}
