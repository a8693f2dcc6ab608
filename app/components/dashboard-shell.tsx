"use client";
/**
 * The frame around every signed-in page: brand, live indicator, "Add a GPU box" and sign-out.
 * Mounting it keeps the live socket open.
 */
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { api } from "../lib/api";
import { cx } from "../lib/cx";
import { AlertsBadge } from "./alerts/alerts-badge";
import { useLiveFleet } from "../lib/use-live-fleet";
import { EnrollDialog } from "./enroll-panel";
import { LiveIndicator } from "./live-indicator";
import brand from "../styles/brand.module.css";
import button from "../styles/button.module.css";
import styles from "./dashboard-shell.module.css";

const NAV = [
  { href: "/", label: "Fleet", testId: "nav-fleet" },
  { href: "/deployments", label: "Deployments", testId: "nav-deployments" },
  { href: "/fit", label: "VRAM fit", testId: "nav-fit" },
  { href: "/routes", label: "Routes", testId: "nav-routes" },
  { href: "/keys", label: "API keys", testId: "nav-keys" },
  { href: "/alerts", label: "Alerts", testId: "nav-alerts" },
  { href: "/playground", label: "Playground", testId: "nav-playground" },
  { href: "/benchmarks", label: "Benchmarks", testId: "nav-benchmarks" },
] as const;

async function signOutWith(end: () => Promise<unknown>): Promise<void> {
  try {
    await end();
  } finally {
    window.location.assign("/login");
  }
}

/** `crumb` adds a trail after the navigation for pages below a section (a node under Fleet). */
export function DashboardShell({ children, crumb }: { children: React.ReactNode; crumb?: React.ReactNode }) {
  const status = useLiveFleet();
  const pathname = usePathname() ?? "/";
  const isActive = (href: string) => (href === "/" ? pathname === "/" || pathname.startsWith("/nodes/") : pathname.startsWith(href));
  const [enrollOpen, setEnrollOpen] = useState(false);
  return (
    <div className={styles.shell}>
      <header className={styles.topbar}>
        <div className={styles.left}>
          <Link href="/" className={brand.brand}>
            <span className={brand.mark} aria-hidden="true" />
            Switchyard
          </Link>
          <nav className={styles.nav} aria-label="Sections">
            {NAV.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                className={cx(button.btn, button.ghost, button.small, isActive(item.href) && button.active)}
                aria-current={isActive(item.href) ? "page" : undefined}
                data-testid={item.testId}
              >
                {item.label}
                {item.href === "/alerts" && <AlertsBadge />}
              </Link>
            ))}
          </nav>
          {crumb && <span className={styles.crumb}>{crumb}</span>}
        </div>
        <div className={styles.right}>
          <LiveIndicator status={status} />
          <button type="button" className={button.btn} onClick={() => setEnrollOpen(true)} data-testid="enroll-open">
            + Add a GPU box
          </button>
          <button type="button" className={cx(button.btn, button.ghost)} data-testid="sign-out" onClick={() => signOutWith(api.signOut)}>
            Sign out
          </button>
          <button
            type="button"
            className={cx(button.btn, button.ghost, button.small)}
            data-testid="sign-out-everywhere"
            title="End every dashboard session, in every browser"
            onClick={() => signOutWith(api.signOutEverywhere)}
          >
            Sign out everywhere
          </button>
        </div>
      </header>
      <main className={styles.content}>{children}</main>
      <EnrollDialog open={enrollOpen} onClose={() => setEnrollOpen(false)} />
    </div>
  );
}
