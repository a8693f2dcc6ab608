// Reference for bench:memory: the dashboard's Next.js app served alone by a bare Node HTTP server,
// as server/main.ts mounts it, without anything else of Switchyard. argv: checkout dir, port.
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";

const dir = path.resolve(process.argv[2]);
const next = createRequire(path.join(dir, "package.json"))("next");
const app = next({ dev: false, dir, quiet: true });
await app.prepare();
const handle = app.getRequestHandler();
http.createServer((req, res) => {
  if (req.url === "/api/health") return res.end('{"status":"ok"}');
  handle(req, res);
}).listen(Number(process.argv[3]), "127.0.0.1");
