/** What the dashboard sees of a key: enough to recognise and count it, never its hash or the key. */
import type { ApiKeyView } from "../../../protocol/gateway";
import type { GatewayKey } from "./key-store";

export function keyView(k: GatewayKey): ApiKeyView {
  const { source, ...rest } = k;
  return { ...rest, source: source === "config" ? "config" : "ui" };
}
