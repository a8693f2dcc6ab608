/**
 * Simulated agents for the telemetry benches: `count` sockets, each a node with `gpuCount` GPUs sending
 * one sample a second, spread over the second as real clocks would be.
 */
import WebSocket from "ws";
import { AGENT_TOKEN } from "../tests/helpers/processes";
import { gpu, snapshot } from "../tests/helpers/samples";

export function simulatedAgents(url: string, count: number, gpuCount = 8) {
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const gpus = Array.from({ length: gpuCount }, (_, i) => gpu(i));
  for (let a = 0; a < count; a++) {
    const name = `sim-${String(a).padStart(3, "0")}`;
    const ws = new WebSocket(`${url.replace("http", "ws")}/ws/agent`, { headers: { authorization: `Bearer ${AGENT_TOKEN}`, "x-switchyard-node": name } });
    sockets.push(ws);
    ws.on("open", () => {
      ws.send(JSON.stringify({ type: "hello", v: 1, agentVersion: "bench", node: name, facts: { hostname: name, os: "linux", arch: "x64", cpuModel: null, cpuCores: 16, memTotalBytes: 64e9 } }));
      // Spread the agents over the second, as real clocks would be.
      setTimeout(() => {
        timers.push(setInterval(() => {
          const snap = snapshot({ gpus: gpus.map((g) => ({ ...g, uuid: `GPU-${name}-${g.index}`, utilGpuPct: Math.round(Math.random() * 100), memUsedMiB: 1000 + Math.round(Math.random() * 20000) })) });
          ws.send(JSON.stringify({ type: "telemetry", v: 1, samples: [{ ts: Date.now(), snapshot: snap }] }));
        }, 1000));
      }, (a * 1000) / count);
    });
    ws.on("error", () => {});
  }
  return { stop: () => { timers.forEach(clearInterval); sockets.forEach((s) => s.terminate()); } };
}
