/**
 * "View as code": the request the playground would send for a model, as curl, the OpenAI SDK, the
 * Anthropic SDK and Claude Code's environment. Always with a placeholder key (the dashboard signs
 * in with its session and never holds one). Pure.
 */
import { samplingFields, type ChatSettings } from "./chat-types";

export const KEY_PLACEHOLDER = "$SWITCHYARD_API_KEY";

export interface SnippetInput {
  /** The dashboard's origin, e.g. http://192.168.1.10:3000. */
  baseUrl: string;
  model: string;
  settings: ChatSettings;
  prompt: string;
}

export type SnippetKind = "curl" | "openai" | "anthropic" | "claude-code";

export const SNIPPET_LABELS: Record<SnippetKind, string> = {
  curl: "curl",
  openai: "OpenAI SDK",
  anthropic: "Anthropic SDK",
  "claude-code": "Claude Code",
};

/** A string as a POSIX shell word. */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;
/** JSON string literals are Python string literals too (the escapes are the same). */
const py = (s: string) => JSON.stringify(s);

function openAIBody(i: SnippetInput) {
  const messages: Array<{ role: string; content: string }> = [];
  if (i.settings.system.trim()) messages.push({ role: "system", content: i.settings.system });
  messages.push({ role: "user", content: i.prompt || "Hello!" });
  return { model: i.model, messages, ...samplingFields(i.settings), stream: true };
}

function pythonArgs(fields: Record<string, unknown>): string[] {
  return Object.entries(fields).map(([k, v]) => `    ${k}=${Array.isArray(v) ? `[${v.map((x) => py(String(x))).join(", ")}]` : typeof v === "string" ? py(v) : String(v)},`);
}

export function snippet(kind: SnippetKind, i: SnippetInput): string {
  const base = i.baseUrl.replace(/\/+$/, "");
  const body = openAIBody(i);
  const sampling = samplingFields(i.settings);
  switch (kind) {
    case "curl":
      return [
        `curl ${shellQuote(`${base}/v1/chat/completions`)} \\`,
        `  -H "Authorization: Bearer ${KEY_PLACEHOLDER}" \\`,
        `  -H 'Content-Type: application/json' \\`,
        `  -d ${shellQuote(JSON.stringify(body))}`,
      ].join("\n");
    case "openai": {
      const { model: _m, messages: _msgs, stream: _s, ...rest } = body;
      return [
        "# pip install openai",
        "import os",
        "from openai import OpenAI",
        "",
        `client = OpenAI(base_url=${py(`${base}/v1`)}, api_key=os.environ["SWITCHYARD_API_KEY"])`,
        "stream = client.chat.completions.create(",
        `    model=${py(i.model)},`,
        "    messages=[",
        ...body.messages.map((m) => `        {"role": ${py(m.role)}, "content": ${py(m.content)}},`),
        "    ],",
        ...pythonArgs(rest),
        "    stream=True,",
        ")",
        "for chunk in stream:",
        '    print(chunk.choices[0].delta.content or "", end="", flush=True)',
      ].join("\n");
    }
    case "anthropic": {
      const fields: Record<string, unknown> = { max_tokens: sampling.max_tokens ?? 1024 };
      if (sampling.temperature !== undefined) fields.temperature = sampling.temperature;
      if (sampling.top_p !== undefined) fields.top_p = sampling.top_p;
      if (sampling.stop) fields.stop_sequences = sampling.stop;
      if (i.settings.system.trim()) fields.system = i.settings.system;
      return [
        "# pip install anthropic",
        "import os",
        "from anthropic import Anthropic",
        "",
        `client = Anthropic(base_url=${py(base)}, api_key=os.environ["SWITCHYARD_API_KEY"])`,
        "with client.messages.stream(",
        `    model=${py(i.model)},`,
        ...pythonArgs(fields),
        `    messages=[{"role": "user", "content": ${py(i.prompt || "Hello!")}}],`,
        ") as stream:",
        "    for text in stream.text_stream:",
        '        print(text, end="", flush=True)',
      ].join("\n");
    }
    case "claude-code":
      return [
        `export ANTHROPIC_BASE_URL=${shellQuote(base)}`,
        `export ANTHROPIC_AUTH_TOKEN="${KEY_PLACEHOLDER}"   # a gateway key (API keys page)`,
        `export ANTHROPIC_MODEL=${shellQuote(i.model)}`,
        `export ANTHROPIC_DEFAULT_HAIKU_MODEL=${shellQuote(i.model)}`,
        "claude",
      ].join("\n");
  }
}
