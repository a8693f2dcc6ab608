/** `switchyard logs NAME [-f] [--tail N]`: the container's output, or its live stream. */
import { CliError, type ApiClient } from "../client";
import { readSse } from "../../lib/sse";

export async function logsCommand(
  client: ApiClient,
  args: { name?: string; follow: boolean; tail: number },
  write: (text: string) => void,
): Promise<string> {
  if (!args.name) throw new CliError("logs needs the NAME of a deployment (see 'switchyard ps')", 2);
  const base = `/api/deployments/${encodeURIComponent(args.name)}/logs?tail=${args.tail}`;
  if (!args.follow) return (await (await client.raw(base)).text()).replace(/\n$/, "");
  const res = await client.raw(`${base}&follow=1`, { accept: "text/event-stream" });
  if (!res.body) return "";
  for await (const ev of readSse(res.body)) {
    // Log lines are unnamed events ("message" to a browser); pings are named and skipped.
    if (ev.event === undefined || ev.event === "message") write(`${ev.data}\n`);
    else if (ev.event === "end") return ev.data ? `-- ${ev.data}` : "";
  }
  return "-- the server closed the stream";
}
