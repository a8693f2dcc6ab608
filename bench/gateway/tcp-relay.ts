/**
 * The floor under any Node proxy, as a reference row in `bench:gateway`'s latency section: bytes
 * relayed between a client's socket and an upstream socket of its own, no HTTP parsed at all. What
 * the minimal proxy adds over it is node:http and undici; what the gateway adds over that, its
 * features. argv: port upstreamUrl.
 */
import net from "node:net";

const [port = "0", upstream = ""] = process.argv.slice(2);
const target = new URL(upstream);

net.createServer((client) => {
  const up = net.connect(Number(target.port), target.hostname);
  client.setNoDelay(true);
  up.setNoDelay(true);
  client.on("data", (b) => up.write(b));
  up.on("data", (b) => client.write(b));
  client.on("close", () => up.destroy());
  up.on("close", () => client.destroy());
  client.on("error", () => {});
  up.on("error", () => {});
}).listen(Number(port), "127.0.0.1", function (this: net.Server) {
  process.stdout.write(`${(this.address() as net.AddressInfo).port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
