"use client";
/** Gateway API keys: create (the key is shown once), revoke, and see what each one used. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ApiKeyView } from "../../protocol/gateway";
import { DashboardShell } from "../components/dashboard-shell";
import { ErrorBanner } from "../components/error-banner";
import { gatewayApi, gatewayKeys } from "../components/gateway/gateway-api";
import { KeyForm } from "../components/gateway/key-form";
import { KeysTable } from "../components/gateway/keys-table";
import { cx } from "../lib/cx";
import panel from "../styles/panel.module.css";
import text from "../styles/text.module.css";

export default function KeysPage() {
  const client = useQueryClient();
  const keys = useQuery({ queryKey: gatewayKeys.keys, queryFn: gatewayApi.keys, refetchInterval: 5000 });
  const status = useQuery({ queryKey: gatewayKeys.status, queryFn: gatewayApi.status });
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: gatewayKeys.keys });
  const create = useMutation({
    mutationFn: (v: { name: string; models: string[] | null }) => gatewayApi.createKey(v.name, v.models),
    onSuccess: (r) => {
      setCreated({ name: r.record.name, key: r.key });
      refresh();
    },
  });
  const revoke = useMutation({ mutationFn: (k: ApiKeyView) => gatewayApi.revokeKey(k.id), onSettled: refresh });
  // Read after mount: the pre-rendered HTML cannot know the browser's origin (a mismatch breaks hydration).
  const [base, setBase] = useState("http://SERVER:3000");
  useEffect(() => setBase(window.location.origin), []);

  return (
    <DashboardShell>
      {keys.isError && <ErrorBanner title="Could not load the keys" detail={keys.error.message} onRetry={() => void keys.refetch()} />}
      {revoke.isError && <ErrorBanner title="Could not revoke that key" detail={revoke.error.message} />}
      <section className={panel.panel}>
        <header className={panel.head}>
          <h2>Gateway API keys</h2>
          <span className={cx(text.muted, text.small)}>clients send one as Authorization: Bearer KEY or x-api-key: KEY</span>
        </header>
        {keys.data ? (
          <KeysTable keys={keys.data} busy={revoke.isPending ? (revoke.variables?.id ?? null) : null} onRevoke={(k) => window.confirm(`Revoke ${k.name}? Clients using it stop working at once.`) && revoke.mutate(k)} />
        ) : !keys.isError && <div className={cx(panel.loading, text.muted)}>Loading keys…</div>}
      </section>
      <section className={panel.panel}>
        <header className={panel.head}><h2>New key</h2></header>
        <KeyForm
          onSubmit={(name, models) => create.mutate({ name, models })}
          submitting={create.isPending}
          error={create.error?.message ?? null}
          created={created}
          models={status.data?.routes.map((r) => r.model) ?? []}
        />
        <p className={cx(text.muted, text.small)}>
          Claude Code: <code className={text.mono}>ANTHROPIC_BASE_URL={base} ANTHROPIC_AUTH_TOKEN=KEY ANTHROPIC_MODEL=MODEL claude</code>
          {" · "}OpenAI SDKs: <code className={text.mono}>base_url={base}/v1</code>
        </p>
      </section>
    </DashboardShell>
  );
}
