import styles from "./gpu-index.module.css";

/** A GPU's index as a small monospace tag: on its card and above its charts. */
export function GpuIndex({ index, title }: { index: number; title?: string }) {
  return (
    <span className={styles.index} title={title}>
      {index}
    </span>
  );
}
