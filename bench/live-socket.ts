/** A dashboard's `/ws/live` socket from Node, signed in with the admin token as the browser is. */
import WebSocket from "ws";
import { ADMIN_TOKEN } from "../tests/helpers/processes";

export async function dashboardSocket(url: string): Promise<WebSocket> {
  const login = await fetch(`${url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
  return new WebSocket(`${url.replace(/^http/, "ws")}/ws/live`, { headers: { cookie: (login.headers.get("set-cookie") ?? "").split(";")[0]! } });
}
