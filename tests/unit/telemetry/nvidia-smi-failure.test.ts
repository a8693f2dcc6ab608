/** classifyFailure: what nvidia-smi prints when it fails (exit code, output) → what the agent does. */
import { describe, expect, it } from "vitest";
import { classifyFailure, isUnavailable } from "../../../agents/telemetry/nvidia-smi-parse";

// prettier-ignore
const CASES: { name: string; exit: number | string | null; output: string; command?: string; kind: string; field?: string; message: RegExp }[] = [
  { name: "binary missing (spawn ENOENT)", exit: "ENOENT", output: "spawn /opt/nv/nvidia-smi ENOENT", command: "/opt/nv/nvidia-smi", kind: "not-found", message: /^nvidia-smi was not found \(tried "\/opt\/nv\/nvidia-smi"\): .*SWITCHYARD_NVIDIA_SMI/ },
  { name: "binary missing (shell 127)", exit: 127, output: "sh: nvidia-smi: not found", kind: "not-found", message: /not found/ },
  { name: "not executable", exit: "EACCES", output: "", kind: "not-found", message: /is not executable/ },
  { name: "NVML mismatch after a driver upgrade", exit: 18, output: "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 535.161\n", kind: "driver-mismatch", message: /^NVIDIA driver\/library version mismatch \(NVML 535\.161\): .*reboot the box or reload the nvidia kernel modules/ },
  { name: "NVML mismatch text with another exit code", exit: 255, output: "Failed to initialize NVML: Driver/library version mismatch", kind: "driver-mismatch", message: /mismatch \(NVML\)/ },
  { name: "no driver", exit: 9, output: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n", kind: "no-driver", message: /cannot talk to the NVIDIA driver.*modprobe nvidia/ },
  { name: "no NVML library (container without toolkit)", exit: 12, output: "NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display Driver is properly installed and present in your system.", kind: "no-driver", message: /libnvidia-ml\.so.*Container Toolkit/ },
  { name: "driver loaded, no GPU", exit: 6, output: "No devices were found", kind: "no-driver", message: /sees no GPU/ },
  { name: "invalid field", exit: 2, output: 'Field "power.draw.instant" is not a valid field to query.\n\n', kind: "invalid-field", field: "power.draw.instant", message: /does not know the field "power\.draw\.instant"/ },
  { name: "GPU fell off the bus", exit: 15, output: "Unable to determine the device handle for GPU0000:41:00.0: GPU is lost.  Reboot the system to recover this GPU", kind: "other", message: /fallen off the bus.*reboot the box/ },
  { name: "permissions", exit: 4, output: "Insufficient Permissions", kind: "other", message: /lacks permission/ },
  { name: "timeout", exit: "ETIMEDOUT", output: "", kind: "other", message: /did not answer in time/ },
  { name: "anything else", exit: 1, output: "Something odd\nsecond line", kind: "other", message: /^nvidia-smi failed \(exit code 1\): Something odd$/ },
  { name: "killed by a signal", exit: "SIGKILL", output: "", kind: "other", message: /^nvidia-smi failed \(SIGKILL\)$/ },
];

describe("classifyFailure", () => {
  it.each(CASES)("$name → $kind", ({ exit, output, command, kind, field, message }) => {
    const failure = classifyFailure(exit, output, command);
    expect(failure.kind).toBe(kind);
    expect(failure.field).toBe(field);
    expect(failure.message).toMatch(message);
  });

  it("marks the failures that mean 'no usable NVIDIA stack' (slow retry, not a restart loop)", () => {
    const kinds = CASES.map((c) => [c.kind, isUnavailable(classifyFailure(c.exit, c.output))] as const);
    for (const [kind, unavailable] of kinds) expect(unavailable).toBe(["not-found", "no-driver", "driver-mismatch"].includes(kind));
  });
});
