/**
 * How long a client may take to send a request. Node checks `requestTimeout` only every
 * `connectionsCheckingInterval`, so a body not complete after 30 s is cut by 45 s at the latest.
 * These clocks stop once a request has arrived whole: WebSockets (after their upgrade), server-sent
 * log follows and streaming gateway answers run as long as they need.
 */
export interface ServerTimeouts {
  requestTimeout: number;
  headersTimeout: number;
  connectionsCheckingInterval: number;
  keepAliveTimeout: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = {
  requestTimeout: 30_000,
  headersTimeout: 30_000,
  connectionsCheckingInterval: 15_000,
  keepAliveTimeout: 65_000,
};
