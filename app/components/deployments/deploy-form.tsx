"use client";
/**
 * The deploy form: engine, model, node, GPUs (auto, CPU, or picked from the node's live GPUs with
 * their free memory), context and engine options. It shows the equivalent `switchyard deploy`
 * command as it is filled in, so a click can become a script.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { deployCommandLine } from "../../../protocol/deploy-command";
import type { CreateDeploymentBody } from "../../../protocol/deployments";
import { api, queryKeys } from "../../lib/api";
import { ENGINES, ENGINE_LABELS, emptyForm, formToBody, type DeployForm as Form } from "../../lib/deploy-form";
import { cx } from "../../lib/cx";
import { mibToGiB } from "../../lib/format";
import button from "../../styles/button.module.css";
import command from "../../styles/command.module.css";
import form from "../../styles/form.module.css";
import text from "../../styles/text.module.css";
import { CopyButton } from "../copy-button";
import { ErrorBox } from "../error-banner";
import { FitVerdict, deployFitRequest } from "../fit/fit-verdict";
import styles from "./deploy-form.module.css";

const input = cx(form.input, form.compact);

function Field({ label, error, children, hint }: { label: string; error?: string; hint?: string; children: React.ReactNode }) {
  return (
    <label className={styles.field}>
      <span className={text.label}>{label}</span>
      {children}
      {error ? <span className={cx(text.errorText, text.small)}>{error}</span> : hint ? <span className={cx(text.muted, text.small)}>{hint}</span> : null}
    </label>
  );
}

export function DeployForm({ onSubmit, submitting, error }: { onSubmit(body: CreateDeploymentBody): void; submitting: boolean; error: string | null }) {
  const [f, setF] = useState<Form>(emptyForm);
  const [touched, setTouched] = useState(false);
  const nodes = useQuery({ queryKey: queryKeys.nodes, queryFn: api.nodes, refetchInterval: 5000 });
  const { body, errors } = useMemo(() => formToBody(f), [f]);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setF((prev) => ({ ...prev, [key]: value }));
  const node = nodes.data?.find((n) => n.name === f.node);
  const shown = touched ? errors : {};
  const preview = deployCommandLine(body ?? { engine: f.engine, model: f.model || "MODEL" });

  return (
    <form
      className={styles.form}
      data-testid="deploy-form"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (body) onSubmit(body);
      }}
    >
      <div className={styles.grid}>
        <Field label="Engine">
          <select className={input} value={f.engine} onChange={(e) => set("engine", e.target.value as Form["engine"])} data-testid="deploy-engine">
            {ENGINES.map((e) => (
              <option key={e} value={e}>
                {ENGINE_LABELS[e]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Model" error={shown.model} hint="org/name, a model folder, or /path/to/model.gguf on the node">
          <input className={cx(input, shown.model && form.hasError)} value={f.model} onChange={(e) => set("model", e.target.value)} placeholder="Qwen/Qwen3-8B" data-testid="deploy-model" />
        </Field>
        <Field label="Name" error={shown.name} hint="also the model name clients ask for">
          <input className={input} value={f.name} onChange={(e) => set("name", e.target.value)} placeholder="from the model" data-testid="deploy-name" />
        </Field>
        <Field label="Node">
          <select className={input} value={f.node} onChange={(e) => setF((p) => ({ ...p, node: e.target.value, gpus: [] }))} data-testid="deploy-node">
            <option value="">Auto (most free VRAM)</option>
            {(nodes.data ?? []).map((n) => (
              <option key={n.name} value={n.name} disabled={!n.online}>
                {n.name}
                {n.online ? "" : " (offline)"}
              </option>
            ))}
          </select>
        </Field>
        <Field label="GPUs" error={shown.gpus}>
          <div className={form.segmented}>
            {(["auto", "none", "pick"] as const).map((m) => (
              <button key={m} type="button" className={cx(form.seg, f.gpuMode === m && form.active)} onClick={() => set("gpuMode", m)} disabled={m === "pick" && !node} data-testid={`deploy-gpus-${m}`}>
                {m === "auto" ? "Auto" : m === "none" ? "CPU" : "Pick"}
              </button>
            ))}
          </div>
          {f.gpuMode === "pick" && node && (
            <div className={styles.gpus}>
              {node.gpus.map((g) => (
                <label key={g.uuid} className={styles.gpu}>
                  <input
                    type="checkbox"
                    checked={f.gpus.includes(g.index)}
                    onChange={(e) => set("gpus", e.target.checked ? [...f.gpus, g.index] : f.gpus.filter((i) => i !== g.index))}
                  />
                  {g.index} · {g.name} · {mibToGiB(g.memTotalMiB !== null && g.memUsedMiB !== null ? g.memTotalMiB - g.memUsedMiB : null)} GiB free
                </label>
              ))}
            </div>
          )}
        </Field>
        <Field label="Context" error={shown.ctx} hint={f.engine === "llamacpp" ? "-c: total over all slots" : "max model length"}>
          <input className={input} inputMode="numeric" value={f.ctx} onChange={(e) => set("ctx", e.target.value)} placeholder="model default" data-testid="deploy-ctx" />
        </Field>
        {f.engine === "llamacpp" ? (
          <Field label="Slots (-np)" error={shown.parallel}>
            <input className={input} inputMode="numeric" value={f.parallel} onChange={(e) => set("parallel", e.target.value)} placeholder="auto" />
          </Field>
        ) : (
          <Field label={f.engine === "vllm" ? "GPU memory utilization" : "Memory fraction (static)"} error={shown.util}>
            <input className={input} inputMode="decimal" value={f.util} onChange={(e) => set("util", e.target.value)} placeholder="engine default" />
          </Field>
        )}
        <Field label="KV cache dtype">
          <input className={input} value={f.kvCacheDtype} onChange={(e) => set("kvCacheDtype", e.target.value)} placeholder={f.engine === "llamacpp" ? "f16, q8_0, q4_0" : "auto, fp8"} />
        </Field>
        <Field label="Image" hint="default: the engine's official image">
          <input className={input} value={f.image} onChange={(e) => set("image", e.target.value)} placeholder="official" data-testid="deploy-image" />
        </Field>
        <Field label="Port" error={shown.port}>
          <input className={input} inputMode="numeric" value={f.port} onChange={(e) => set("port", e.target.value)} placeholder="a free one" />
        </Field>
        <Field label="On crash">
          <select className={input} value={f.restart} onChange={(e) => set("restart", e.target.value as Form["restart"])}>
            <option value="no">Leave it failed</option>
            <option value="on-failure">Restart (backoff)</option>
            <option value="always">Always restart</option>
          </select>
        </Field>
        <Field label="Engine arguments" hint="passed after --">
          <input className={input} value={f.extraArgs} onChange={(e) => set("extraArgs", e.target.value)} placeholder="--max-num-seqs 64" />
        </Field>
      </div>
      <fieldset className={styles.onDemand} data-testid="deploy-ondemand">
        <label className={styles.check}>
          <input type="checkbox" checked={f.onDemand} onChange={(e) => set("onDemand", e.target.checked)} data-testid="deploy-ondemand-on" />
          <span>On demand: load on the first request, unload when idle (costs no memory until then)</span>
        </label>
        {f.onDemand && (
          <div className={styles.grid}>
            <Field label="Unload after idle" error={shown.idleTimeout} hint="with no request in flight">
              <input className={input} value={f.idleTimeout} onChange={(e) => set("idleTimeout", e.target.value)} placeholder="15m" data-testid="deploy-idle-timeout" />
            </Field>
            <Field label="Unload by" hint={f.engine === "vllm" ? "sleep: vLLM's sleep mode, wakes in about a second" : "sleep mode is vLLM's"}>
              <select className={input} value={f.engine === "vllm" ? f.unload : "remove"} disabled={f.engine !== "vllm"} onChange={(e) => set("unload", e.target.value as Form["unload"])}>
                <option value="remove">Removing its container</option>
                <option value="sleep">Sleep (vLLM)</option>
              </select>
            </Field>
            <label className={styles.check}>
              <input type="checkbox" checked={f.preload} onChange={(e) => set("preload", e.target.checked)} />
              <span>Load it now too</span>
            </label>
          </div>
        )}
      </fieldset>
      {/* VRAM fit (issue 4): where it fits, or a warning before a deploy that will not. */}
      {f.gpuMode !== "none" && <FitVerdict request={deployFitRequest(f)} node={f.node || undefined} gpus={f.gpuMode === "pick" ? f.gpus : undefined} />}
      <div className={styles.cli}>
        <span className={text.label}>Same as</span>
        <div className={command.row}>
          <pre className={command.cmd} data-testid="deploy-cli">{preview}</pre>
          <CopyButton text={preview} />
        </div>
      </div>
      {error && (
        <ErrorBox testId="deploy-error">
          <pre className={styles.errorText}>{error}</pre>
        </ErrorBox>
      )}
      <div className={styles.submit}>
        <button type="submit" className={cx(button.btn, button.primary)} disabled={submitting} data-testid="deploy-submit">
          {submitting ? "Deploying…" : f.onDemand ? "Register on demand" : "Deploy"}
        </button>
      </div>
    </form>
  );
}
