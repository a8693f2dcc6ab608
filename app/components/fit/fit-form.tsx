"use client";
/** Model, engine, context, KV type, parallel sequences and memory share: what the matrix is asked for. */
import type { Engine } from "../../../protocol/deployments";
import type { FitKvDtype } from "../../../protocol/fit";
import { cx } from "../../lib/cx";
import formStyles from "../../styles/form.module.css";
import text from "../../styles/text.module.css";
import styles from "./fit-form.module.css";
export { toFitRequest } from "./fit-view";

export interface FitFormValues {
  model: string;
  engine: Engine | "";
  ctx: string;
  parallel: string;
  kvDtype: FitKvDtype | "auto";
  util: string;
}

export const EMPTY_FIT_FORM: FitFormValues = { model: "", engine: "", ctx: "", parallel: "1", kvDtype: "auto", util: "" };

const KV_TYPES: (FitKvDtype | "auto")[] = ["auto", "f16", "bf16", "fp8", "q8_0", "q4_0"];

export function FitForm({ value, onChange }: { value: FitFormValues; onChange(v: FitFormValues): void }) {
  const set = <K extends keyof FitFormValues>(k: K) => (e: { target: { value: string } }) => onChange({ ...value, [k]: e.target.value });
  return (
    <form className={styles.form} onSubmit={(e) => e.preventDefault()} data-testid="fit-form">
      <label className={cx(styles.field, styles.model)}>
        <span className={text.label}>Model</span>
        <input className={formStyles.input} value={value.model} onChange={set("model")} placeholder="Qwen/Qwen3-8B, /models/x.gguf or a model folder" name="model" autoComplete="off" spellCheck={false} />
      </label>
      <label className={styles.field}>
        <span className={text.label}>Engine</span>
        <select className={formStyles.input} value={value.engine} onChange={set("engine")} name="engine">
          <option value="">auto</option>
          <option value="vllm">vLLM</option>
          <option value="sglang">SGLang</option>
          <option value="llamacpp">llama.cpp</option>
        </select>
      </label>
      <label className={styles.field}>
        <span className={text.label}>Context</span>
        <input className={formStyles.input} value={value.ctx} onChange={set("ctx")} placeholder="model's" inputMode="numeric" name="ctx" />
      </label>
      <label className={styles.field}>
        <span className={text.label}>Parallel</span>
        <input className={formStyles.input} value={value.parallel} onChange={set("parallel")} inputMode="numeric" name="parallel" />
      </label>
      <label className={styles.field}>
        <span className={text.label}>KV cache</span>
        <select className={formStyles.input} value={value.kvDtype} onChange={set("kvDtype")} name="kvDtype">
          {KV_TYPES.map((k) => (
            <option key={k} value={k}>{k}</option>
          ))}
        </select>
      </label>
      <label className={styles.field}>
        <span className={text.label}>GPU share</span>
        <input className={formStyles.input} value={value.util} onChange={set("util")} placeholder="0.9" inputMode="decimal" name="util" title="vLLM gpu-memory-utilization / SGLang mem-fraction-static" />
      </label>
    </form>
  );
}
