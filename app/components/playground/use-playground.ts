"use client";
/**
 * The playground's state: the current conversation (settings and up to four model panes), the saved
 * ones (localStorage), and sending one prompt to every pane at once. Streamed text reaches React at
 * most once per animation frame per pane, however fast a model answers.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { streamAnswer } from "../../lib/playground/chat-client";
import { MAX_PANES, type ChatSettings, type Conversation, type Pane } from "../../lib/playground/chat-types";
import { loadState, newConversation, saveState, titleFrom } from "../../lib/playground/conversation-store";

const storage = () => (typeof window === "undefined" ? null : window.localStorage);

export function usePlayground(models: readonly string[]) {
  const [saved, setSaved] = useState<Conversation[]>([]);
  const [conv, setConv] = useState<Conversation>(() => newConversation([]));
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const loaded = useRef(false);

  // Read once in the browser (not during the server render).
  useEffect(() => {
    const s = loadState(storage());
    setSaved(s.conversations);
    const current = s.conversations.find((c) => c.id === s.currentId);
    if (current) setConv(current);
    loaded.current = true;
  }, []);

  // A fresh conversation gets the first model once the list is known.
  useEffect(() => {
    if (models.length === 0) return;
    setConv((c) => (c.panes[0]!.model ? c : { ...c, panes: [{ ...c.panes[0]!, model: models[0]! }, ...c.panes.slice(1)] }));
  }, [models]);

  // The conversation joins the saved ones after every change (answers included), once streaming settles.
  useEffect(() => {
    if (!loaded.current || busy) return;
    setSaved((prev) => {
      const others = prev.filter((c) => c.id !== conv.id);
      return conv.panes.some((p) => p.messages.length > 0) ? [conv, ...others] : others;
    });
  }, [conv, busy]);
  useEffect(() => {
    if (loaded.current) saveState(storage(), { currentId: conv.id, conversations: saved });
  }, [saved, conv.id]);

  const updatePane = useCallback((i: number, f: (p: Pane) => Pane) => {
    setConv((c) => ({ ...c, panes: c.panes.map((p, j) => (j === i ? f(p) : p)) }));
  }, []);

  const send = useCallback(async (prompt: string) => {
    const text = prompt.trim();
    if (!text || busy) return;
    const ctl = new AbortController();
    abort.current = ctl;
    setBusy(true);
    const snapshot = conv;
    setConv((c) => ({
      ...c, updatedAt: Date.now(), title: c.panes.some((p) => p.messages.length) ? c.title : titleFrom(text),
      panes: c.panes.map((p) => ({ ...p, messages: [...p.messages, { role: "user", content: text }, { role: "assistant", content: "" }] })),
    }));
    await Promise.all(snapshot.panes.map(async (pane, i) => {
      let pending: string | null = null;
      let frame = 0;
      const setLast = (patch: Partial<Pane["messages"][number]>) =>
        updatePane(i, (p) => ({ ...p, messages: [...p.messages.slice(0, -1), { ...p.messages[p.messages.length - 1]!, ...patch }] }));
      const result = await streamAnswer({
        model: pane.model, settings: snapshot.settings, history: pane.messages, prompt: text, signal: ctl.signal,
        onText(content) {
          pending = content;
          if (frame) return;
          frame = requestAnimationFrame(() => {
            frame = 0;
            if (pending !== null) setLast({ content: pending });
          });
        },
      });
      if (frame) cancelAnimationFrame(frame);
      setLast({ content: result.content, stats: result.stats, ...(result.error ? { error: result.error } : {}) });
    }));
    abort.current = null;
    setBusy(false);
  }, [busy, conv, updatePane]);

  return {
    conv, saved, busy, send,
    stop: () => abort.current?.abort(),
    setSettings: (settings: ChatSettings) => setConv((c) => ({ ...c, settings })),
    setModel: (i: number, model: string) => updatePane(i, (p) => ({ ...p, model })),
    addPane: () => setConv((c) => (c.panes.length >= MAX_PANES ? c : { ...c, panes: [...c.panes, { model: models.find((m) => !c.panes.some((p) => p.model === m)) ?? models[0] ?? "", messages: [] }] })),
    removePane: (i: number) => setConv((c) => (c.panes.length <= 1 ? c : { ...c, panes: c.panes.filter((_, j) => j !== i) })),
    newChat: () => setConv(newConversation(models)),
    open: (id: string) => {
      const c = saved.find((x) => x.id === id);
      if (c) setConv(c);
    },
    remove: (id: string) => {
      setSaved((prev) => prev.filter((c) => c.id !== id));
      if (conv.id === id) setConv(newConversation(models));
    },
  };
}
