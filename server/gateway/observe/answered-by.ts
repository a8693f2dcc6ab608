/**
 * Response headers that say who answered: the backend, the target (BACKEND/MODEL) and the failovers
 * on the way, for the playground and for API users. Names only, never a URL or a key. Percent-
 * encoded, because a target may carry a model name the client sent (`box1/anything`), and bounded.
 */
import type { ServerResponse } from "node:http";
import type { RequestRecord } from "../exchange";

export const ANSWERED_BY_HEADERS = { backend: "x-switchyard-backend", target: "x-switchyard-target", failovers: "x-switchyard-failovers", tried: "x-switchyard-tried" } as const;

const MAX_NAME = 256;
const MAX_TRIED = 8;

const headerValue = (name: string): string => encodeURIComponent(name.slice(0, MAX_NAME));

/** Call when the answer commits, before its head is written. */
export function announceAnsweredBy(res: ServerResponse, record: Pick<RequestRecord, "target" | "failovers" | "hops">): void {
  if (res.headersSent || !record.target) return;
  const slash = record.target.indexOf("/");
  res.setHeader(ANSWERED_BY_HEADERS.backend, headerValue(slash > 0 ? record.target.slice(0, slash) : record.target));
  res.setHeader(ANSWERED_BY_HEADERS.target, headerValue(record.target));
  res.setHeader(ANSWERED_BY_HEADERS.failovers, String(record.failovers));
  if (record.hops.length > 0) res.setHeader(ANSWERED_BY_HEADERS.tried, record.hops.slice(0, MAX_TRIED).map((h) => headerValue(h.from)).join(", "));
}
