"use client";
import { formatRelativeTime } from "../lib/format";
import { useNow } from "../lib/use-now";
import text from "../styles/text.module.css";

/** "4s ago", re-rendered by the shared clock; the exact time on hover. */
export function RelativeTime({ ts }: { ts: number | null }) {
  const now = useNow();
  if (ts === null) return <span className={text.muted}>never</span>;
  const exact = new Date(ts).toLocaleString();
  return (
    <time dateTime={new Date(ts).toISOString()} title={exact} suppressHydrationWarning>
      {now === 0 ? "" : formatRelativeTime(ts, now)}
    </time>
  );
}
