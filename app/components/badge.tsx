import type { HTMLAttributes } from "react";
import { cx } from "../lib/cx";
import styles from "./badge.module.css";

export type BadgeTone = "ok" | "accent" | "bad" | "offline" | "off" | "muted";

export interface BadgeProps extends HTMLAttributes<HTMLSpanElement> {
  tone: BadgeTone;
  /** The coloured dot before the text (a plain pill without). */
  dot?: boolean;
  /** The dot breathes: something is in progress. */
  pulse?: boolean;
}

/** A status pill: node online/offline, deployment state, backend health, "simulated". */
export function Badge({ tone, dot = false, pulse = false, className, children, ...rest }: BadgeProps) {
  return (
    <span className={cx(styles.badge, styles[tone], pulse && styles.pulse, className)} {...rest}>
      {dot && <span className={styles.dot} aria-hidden="true" />}
      {children}
    </span>
  );
}
