/** Inline media: Anthropic's base64 sources are OpenAI's `data:` URLs. */

export function toDataUrl(mediaType: string, base64: string): string {
  return `data:${mediaType};base64,${base64}`;
}

/** `data:image/png;base64,AAAA` → its parts; null for anything else (plain URLs, non-base64 data URLs). */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  if (!url.startsWith("data:")) return null;
  const comma = url.indexOf(",");
  if (comma < 0) return null;
  const meta = url.slice(5, comma);
  if (!meta.endsWith(";base64")) return null;
  return { mediaType: meta.slice(0, -7).split(";")[0] || "application/octet-stream", data: url.slice(comma + 1) };
}
