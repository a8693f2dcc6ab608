/**
 * Classifies nvidia-smi failures into what the agent does next (retry slowly, drop a field, back
 * off) and a sentence for the dashboard. Pure; re-exported by nvidia-smi-parse.ts.
 */
export type FailureKind = "driver-mismatch" | "no-driver" | "not-found" | "invalid-field" | "other";
export interface SmiFailure {
  kind: FailureKind;
  /** The rejected field, for `invalid-field`. */
  field?: string;
  /** One sentence a person can act on. */
  message: string;
}

/**
 * Why an nvidia-smi run failed. `exit` is the exit status, or Node's error code when the binary
 * could not be run at all (`ENOENT`, `EACCES`, `ETIMEDOUT`); `output` is stderr and stdout together
 * (nvidia-smi prints most errors on stdout). `command` is the path that was tried, for the message.
 */
export function classifyFailure(exit: number | string | null, output: string, command = "nvidia-smi"): SmiFailure {
  const text = output.trim();
  const firstLine = text.split("\n", 1)[0]?.trim() ?? "";

  if (exit === "ENOENT" || exit === 127) {
    return {
      kind: "not-found",
      message: `nvidia-smi was not found (tried "${command}"): install the NVIDIA driver, which ships it, or set SWITCHYARD_NVIDIA_SMI to its full path`,
    };
  }
  if (exit === "EACCES" || exit === 126) {
    return { kind: "not-found", message: `"${command}" is not executable: fix its permissions or set SWITCHYARD_NVIDIA_SMI to the real nvidia-smi` };
  }
  if (/Driver\/library version mismatch/i.test(text) || exit === 18) {
    const nvml = /NVML library version:\s*([\w.]+)/i.exec(text)?.[1];
    return {
      kind: "driver-mismatch",
      message: `NVIDIA driver/library version mismatch (NVML${nvml ? ` ${nvml}` : ""}): the driver was updated without a reboot; reboot the box or reload the nvidia kernel modules`,
    };
  }
  if (/couldn't find libnvidia-ml|NVML Shared Library Not Found/i.test(text) || exit === 12) {
    return {
      kind: "no-driver",
      message: "nvidia-smi cannot load the NVML library (libnvidia-ml.so): install the NVIDIA driver's user-space libraries, or in a container run with the NVIDIA Container Toolkit (--gpus)",
    };
  }
  if (/couldn't communicate with the NVIDIA driver|driver is not loaded/i.test(text) || exit === 9) {
    return {
      kind: "no-driver",
      message: "nvidia-smi cannot talk to the NVIDIA driver: install the driver or load its kernel module (sudo modprobe nvidia), then check that `nvidia-smi` works on this box",
    };
  }
  if (/No devices were found/i.test(text)) {
    return {
      kind: "no-driver",
      message: "The NVIDIA driver is loaded but sees no GPU: check that the card is seated and powered (lspci | grep -i nvidia) and not bound to vfio",
    };
  }
  const invalid = /Field "([^"]+)" is not a valid field to query/.exec(text);
  if (invalid !== null) {
    return { kind: "invalid-field", field: invalid[1]!, message: `This driver's nvidia-smi does not know the field "${invalid[1]}"; reading without it` };
  }
  if (exit === "ETIMEDOUT") {
    return { kind: "other", message: `nvidia-smi did not answer in time: the driver may be hung; check \`nvidia-smi\` by hand and dmesg for Xid errors` };
  }
  if (/fallen off the bus|GPU is lost/i.test(text) || exit === 15) {
    return { kind: "other", message: `A GPU has fallen off the bus (${firstLine || "exit 15"}): reboot the box; if it repeats, check the card's power and PCIe seating` };
  }
  if (/Insufficient Permissions/i.test(text) || exit === 4) {
    return { kind: "other", message: "nvidia-smi lacks permission to read the GPUs: run the agent as root or as a user with access to /dev/nvidia*" };
  }
  const status = typeof exit === "number" ? `exit code ${exit}` : (exit ?? "killed by a signal");
  return { kind: "other", message: `nvidia-smi failed (${status})${firstLine ? `: ${firstLine}` : ""}` };
}

/** Failures that mean "no usable NVIDIA stack here": report no GPUs and retry slowly, not in a loop. */
export function isUnavailable(failure: SmiFailure): boolean {
  return failure.kind === "not-found" || failure.kind === "no-driver" || failure.kind === "driver-mismatch";
}
