/**
 * The inference engines Switchyard deploys, as plain data with no imports: the dashboard's deploy
 * form lists them without pulling zod and the deployment schemas into the browser. Re-exported by
 * protocol/deployments.ts.
 */
export const ENGINES = ["vllm", "sglang", "llamacpp"] as const;
export type Engine = (typeof ENGINES)[number];
