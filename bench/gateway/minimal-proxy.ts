/**
 * The floor for a Node proxy, as a reference row in `bench:gateway`: node:http in front, undici's
 * pool behind, the body passed through whole, nothing else (no keys, routing, health, log or
 * metrics). The gateway's distance from it is what its features cost. argv: port upstreamUrl.
 */
import http from "node:http";
import { Pool, type Dispatcher } from "undici";

const [port = "0", upstream = ""] = process.argv.slice(2);
const pool = new Pool(upstream, { headersTimeout: 0, bodyTimeout: 0 });

http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const out: Buffer[] = [];
    let status = 502;
    let headers: string[] = [];
    const handler: Dispatcher.DispatchHandlers = {
      onConnect() {},
      onError: () => void res.writeHead(502).end(),
      onHeaders(s, raw) {
        status = s;
        for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toString("latin1").toLowerCase() === "content-type") headers = ["content-type", raw[i + 1]!.toString("latin1")];
        return true;
      },
      onData: (c) => out.push(c) > 0,
      onComplete() {
        const whole = Buffer.concat(out);
        res.writeHead(status, [...headers, "content-length", String(whole.length)]).end(whole);
      },
    };
    pool.dispatch({ path: req.url ?? "/", method: "POST", headers: ["content-type", "application/json"], body }, handler);
  });
}).listen(Number(port), "127.0.0.1", function (this: http.Server) {
  process.stdout.write(`${(this.address() as { port: number }).port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
