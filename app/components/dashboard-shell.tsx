"use client";
/**
 * The frame around every signed-in page: brand, live indicator, "Add a GPU box" and sign-out.
 * Mounting it keeps the live socket open.
 */
import Link from "next/link";
import { useState } from "react";
import { api } from "../lib/api";
import { useLiveFleet } from "../lib/use-live-fleet";
import { EnrollDialog } from "./enroll-panel";
import { LiveIndicator } from "./live-indicator";

export function DashboardShell({ children, crumb }: { children: React.ReactNode; crumb?: React.ReactNode }) {
  const status = useLiveFleet();
  const [enrollOpen, setEnrollOpen] = useState(false);
  return (
    <div className="shell">
      <header className="topbar">
        <div className="topbar-left">
          <Link href="/" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Switchyard
          </Link>
          <Link href="/deployments" className="btn btn-ghost btn-small" data-testid="nav-deployments">Deployments</Link>
          <Link href="/fit" className="btn btn-ghost btn-small" data-testid="nav-fit">VRAM fit</Link>
          <Link href="/routes" className="btn btn-ghost btn-small" data-testid="nav-routes">Routes</Link>
          <Link href="/keys" className="btn btn-ghost btn-small" data-testid="nav-keys">API keys</Link>
          {crumb && <span className="crumb">{crumb}</span>}
        </div>
        <div className="topbar-right">
          <LiveIndicator status={status} />
          <button type="button" className="btn" onClick={() => setEnrollOpen(true)} data-testid="enroll-open">
            + Add a GPU box
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            data-testid="sign-out"
            onClick={async () => {
              try {
                await api.signOut();
              } finally {
                window.location.assign("/login");
              }
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main className="content">{children}</main>
      <EnrollDialog open={enrollOpen} onClose={() => setEnrollOpen(false)} />
    </div>
  );
}
