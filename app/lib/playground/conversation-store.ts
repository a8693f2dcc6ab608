/**
 * Conversations kept in this browser (localStorage), bounded so that a long session never fills
 * the storage: the newest conversations, each answer clipped. Reads tolerate anything (another
 * version's data, a hand-edited value): what does not fit the shape is dropped.
 */
import { DEFAULT_SETTINGS, MAX_PANES, type ChatMessage, type Conversation, type Pane } from "./chat-types";

export const STORAGE_KEY = "switchyard.playground.v1";
const MAX_CONVERSATIONS = 30;
const MAX_MESSAGES = 200;
const MAX_STORED_CHARS = 32 * 1024;

export interface StoredState {
  currentId: string | null;
  conversations: Conversation[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);

function readMessage(v: unknown): ChatMessage | null {
  if (!isObj(v) || (v.role !== "user" && v.role !== "assistant")) return null;
  const m: ChatMessage = { role: v.role, content: str(v.content).slice(0, MAX_STORED_CHARS) };
  if (typeof v.error === "string") m.error = v.error.slice(0, 1000);
  if (isObj(v.stats)) m.stats = v.stats as unknown as ChatMessage["stats"];
  return m;
}

function readPane(v: unknown): Pane | null {
  if (!isObj(v)) return null;
  const messages = Array.isArray(v.messages) ? v.messages.map(readMessage).filter((m): m is ChatMessage => m !== null).slice(-MAX_MESSAGES) : [];
  return { model: str(v.model), messages };
}

export function readConversation(v: unknown): Conversation | null {
  if (!isObj(v) || typeof v.id !== "string") return null;
  const s = isObj(v.settings) ? v.settings : {};
  const panes = Array.isArray(v.panes) ? v.panes.map(readPane).filter((p): p is Pane => p !== null).slice(0, MAX_PANES) : [];
  return {
    id: v.id.slice(0, 64), title: str(v.title, "Conversation").slice(0, 120), updatedAt: typeof v.updatedAt === "number" ? v.updatedAt : 0,
    settings: {
      system: str(s.system, DEFAULT_SETTINGS.system), temperature: str(s.temperature, DEFAULT_SETTINGS.temperature),
      maxTokens: str(s.maxTokens, DEFAULT_SETTINGS.maxTokens), topP: str(s.topP, DEFAULT_SETTINGS.topP), stop: str(s.stop, DEFAULT_SETTINGS.stop),
    },
    panes: panes.length ? panes : [{ model: "", messages: [] }],
  };
}

export function loadState(storage: Pick<Storage, "getItem"> | null): StoredState {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (!isObj(v)) return { currentId: null, conversations: [] };
    const conversations = Array.isArray(v.conversations) ? v.conversations.map(readConversation).filter((c): c is Conversation => c !== null) : [];
    return { currentId: typeof v.currentId === "string" ? v.currentId : null, conversations: conversations.slice(0, MAX_CONVERSATIONS) };
  } catch {
    return { currentId: null, conversations: [] };
  }
}

/** Newest first, bounded; on a full storage the oldest go until it fits. */
export function saveState(storage: Pick<Storage, "setItem"> | null, state: StoredState): void {
  if (!storage) return;
  let conversations = [...state.conversations]
    .filter((c) => c.panes.some((p) => p.messages.length > 0))
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .slice(0, MAX_CONVERSATIONS)
    .map((c) => ({ ...c, panes: c.panes.map((p) => ({ ...p, messages: p.messages.slice(-MAX_MESSAGES).map((m) => ({ ...m, content: m.content.slice(0, MAX_STORED_CHARS) })) })) }));
  while (true) {
    try {
      storage.setItem(STORAGE_KEY, JSON.stringify({ currentId: state.currentId, conversations }));
      return;
    } catch {
      if (conversations.length === 0) return;
      conversations = conversations.slice(0, -1);
    }
  }
}

export function newConversation(models: readonly string[], id = randomId()): Conversation {
  return { id, title: "New conversation", updatedAt: Date.now(), settings: { ...DEFAULT_SETTINGS }, panes: [{ model: models[0] ?? "", messages: [] }] };
}

function randomId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `c${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

/** A conversation's title: the start of its first prompt. */
export function titleFrom(prompt: string): string {
  const line = prompt.trim().split("\n")[0] ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || "Conversation";
}
