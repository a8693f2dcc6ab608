/**
 * Time to first byte of a streamed response, one request at a time on one keep-alive connection:
 * from the moment the request is written to the first body chunk.
 */
import http from "node:http";

export async function measureTtfb(url: string, body: string, headers: Record<string, string>, count: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const out: number[] = [];
  const payload = Buffer.from(body);
  for (let i = 0; i < count; i++) {
    out.push(await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent,
        headers: { "content-type": "application/json", "content-length": payload.length, ...headers } });
      let t0 = 0;
      req.once("response", (res) => {
        if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
        let first = 0;
        res.on("data", () => {
          if (!first) first = performance.now() - t0;
        });
        res.once("end", () => resolve(first));
      });
      req.once("error", reject);
      t0 = performance.now();
      req.end(payload);
    }));
  }
  agent.destroy();
  return out;
}
