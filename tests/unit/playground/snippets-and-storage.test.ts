/** "View as code" (placeholder key, quoting that survives a hostile prompt) and the browser's saved conversations. */
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, requestMessages, samplingFields } from "../../../app/lib/playground/chat-types";
import { KEY_PLACEHOLDER, snippet, type SnippetKind } from "../../../app/lib/playground/code-snippets";
import { loadState, saveState, STORAGE_KEY, titleFrom } from "../../../app/lib/playground/conversation-store";

const settings = { ...DEFAULT_SETTINGS, system: "Be brief.", temperature: "0.2", maxTokens: "64", topP: "0.9", stop: "END\\n\nSTOP" };

describe("view as code", () => {
  const input = { baseUrl: "http://192.168.1.10:3000/", model: "qwen3-8b", settings, prompt: "it's a \"test\"; $(rm -rf /) `x`" };

  it("sends the same request the playground sends, with a placeholder key", () => {
    const curl = snippet("curl", input);
    expect(curl).toContain("'http://192.168.1.10:3000/v1/chat/completions'");
    expect(curl).toContain(`Authorization: Bearer ${KEY_PLACEHOLDER}`);
    const body = JSON.parse(/-d '(.*)'$/s.exec(curl)![1]!.replaceAll(`'"'"'`, "'"));
    expect(body).toEqual({
      model: "qwen3-8b", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: input.prompt }],
      temperature: 0.2, max_tokens: 64, top_p: 0.9, stop: ["END\n", "STOP"], stream: true,
    });
  });

  it("points each SDK at the right base URL", () => {
    expect(snippet("openai", input)).toContain('OpenAI(base_url="http://192.168.1.10:3000/v1", api_key=os.environ["SWITCHYARD_API_KEY"])');
    expect(snippet("openai", input)).toContain("    temperature=0.2,");
    const anthropic = snippet("anthropic", input);
    expect(anthropic).toContain('Anthropic(base_url="http://192.168.1.10:3000", api_key=os.environ["SWITCHYARD_API_KEY"])');
    expect(anthropic).toContain('    stop_sequences=["END\\n", "STOP"],');
    expect(anthropic).toContain('    system="Be brief.",');
    const cc = snippet("claude-code", input);
    expect(cc).toContain("export ANTHROPIC_BASE_URL='http://192.168.1.10:3000'");
    expect(cc).toContain("export ANTHROPIC_MODEL='qwen3-8b'");
  });

  it("never holds anything but the placeholder as a key", () => {
    for (const kind of ["curl", "openai", "anthropic", "claude-code"] as SnippetKind[]) {
      expect(snippet(kind, input)).not.toMatch(/sk-[A-Za-z0-9]/);
    }
  });
});

describe("request fields", () => {
  it("leave blank settings to the backend", () => {
    expect(samplingFields({ ...DEFAULT_SETTINGS, temperature: "", maxTokens: " ", topP: "x" })).toEqual({});
    expect(requestMessages({ ...DEFAULT_SETTINGS }, [{ role: "user", content: "a" }, { role: "assistant", content: "", error: "HTTP 503" }], "b")).toEqual([
      { role: "user", content: "a" }, { role: "user", content: "b" },
    ]);
  });
});

describe("saved conversations", () => {
  function memory() {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
  }

  it("survive a reload, newest first, without empty ones", () => {
    const s = memory();
    const conv = (id: string, at: number, messages = [{ role: "user" as const, content: "hi" }]) => ({ id, title: titleFrom("hi"), updatedAt: at, settings, panes: [{ model: "m", messages }] });
    saveState(s, { currentId: "b", conversations: [conv("a", 1), conv("b", 2), conv("empty", 3, [])] });
    const back = loadState(s);
    expect(back.currentId).toBe("b");
    expect(back.conversations.map((c) => c.id)).toEqual(["b", "a"]);
    expect(back.conversations[0]!.settings).toEqual(settings);
  });

  it("read whatever is stored without failing: garbage is dropped", () => {
    const s = memory();
    for (const raw of ["not json", "null", "[]", JSON.stringify({ conversations: [1, null, { id: 3 }, { id: "ok", panes: "x", settings: 5 }] })]) {
      s.m.set(STORAGE_KEY, raw);
      const st = loadState(s);
      expect(st.conversations.every((c) => c.id === "ok" && c.panes.length === 1)).toBe(true);
    }
  });

  it("drop the oldest when the storage is full", () => {
    let limit = 2600;
    const stored: string[] = [];
    const s = { setItem: (_k: string, v: string) => { if (v.length > limit) throw new Error("QuotaExceededError"); stored.push(v); } };
    const big = (id: string, at: number) => ({ id, title: "t", updatedAt: at, settings, panes: [{ model: "m", messages: [{ role: "user" as const, content: "x".repeat(800) }] }] });
    saveState(s, { currentId: null, conversations: [big("old", 1), big("mid", 2), big("new", 3)] });
    expect(JSON.parse(stored.at(-1)!).conversations.map((c: { id: string }) => c.id)).toEqual(["new", "mid"]);
    limit = 0;
    expect(() => saveState(s, { currentId: null, conversations: [big("x", 1)] })).not.toThrow();
  });
});
