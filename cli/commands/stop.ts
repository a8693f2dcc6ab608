/** `switchyard stop NAME`: stops and removes a deployment and its container. */
import { CliError, type ApiClient } from "../client";

export async function stopCommand(client: ApiClient, names: string[]): Promise<string> {
  if (names.length === 0) throw new CliError("stop needs the NAME of a deployment (see 'switchyard ps')", 2);
  const out: string[] = [];
  for (const name of names) {
    const r = await client.send<{ message: string }>("DELETE", `/api/deployments/${encodeURIComponent(name)}`);
    out.push(r.message);
  }
  return out.join("\n");
}
