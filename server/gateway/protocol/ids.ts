/** Ids minted or carried across protocols. */
import { randomUUID } from "node:crypto";

export function newId(prefix: string): string {
  return prefix + randomUUID().replaceAll("-", "");
}

const ANTHROPIC_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * Anthropic rejects tool_use ids outside [a-zA-Z0-9_-] when a conversation later reaches it, and some
 * engines mint ids like "functions.get_weather:0". The mapping is deterministic, so a tool_use id and
 * the tool_result that answers it stay paired in both directions.
 */
export function anthropicToolId(id: string | null | undefined): string {
  if (!id) return newId("toolu_");
  return ANTHROPIC_ID.test(id) ? id : id.replace(/[^a-zA-Z0-9_-]/g, "_");
}
