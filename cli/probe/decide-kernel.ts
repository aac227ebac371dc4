/**
 * The kernel lines of the report: release, whether its config could be read,
 * and each option of images/k3s-node/kernel/k3s-fly.config judged the way
 * check-kernel.sh judges it at boot (=y, or =m where modules load). Pure.
 */
import { Capability, KernelOption, ScriptFacts } from "./types";

export function kernelReleaseLine(f: ScriptFacts): Capability {
  return {
    name: "kernel release",
    result: f.kernelRelease ? "ok" : "unknown",
    detail: f.kernelRelease || "uname -r gave nothing",
    node: "runs on this kernel: the machine boots it, the image brings none",
    required: false,
  };
}

export function kernelConfigLine(f: ScriptFacts): Capability {
  const { state, path } = f.kernelConfig;
  if (state === "read") {
    return {
      name: "kernel config",
      result: "ok",
      detail: `${path} readable`,
      node: "checks every option below at boot (check-kernel.sh)",
      required: false,
    };
  }
  return {
    name: "kernel config",
    result: "unknown",
    detail:
      state === "unreadable"
        ? `${path} exists but cannot be read`
        : `no /proc/config.gz, no /boot/config-${f.kernelRelease || "<release>"}`,
    node: "starts without the kernel check (warns); the options below cannot be told",
    required: false,
  };
}

/** `value` present as check-kernel.sh counts it: =y, or =m on a kernel that loads modules. */
function optionState(
  value: string,
  modules: string | undefined,
): { present: boolean; detail: string } {
  if (value === "y") return { present: true, detail: "=y" };
  if (value === "m") {
    return modules === "y"
      ? { present: true, detail: "=m (a module; this kernel loads modules)" }
      : { present: false, detail: "=m, and this kernel cannot load modules" };
  }
  return { present: false, detail: value === "" ? "not set" : `=${value}; need y` };
}

export function kernelOptionLine(f: ScriptFacts, o: KernelOption): Capability {
  const kind = o.required ? "required" : "optional";
  const base = { name: o.name, required: o.required };
  if (f.kernelConfig.state !== "read") {
    return {
      ...base,
      result: "unknown",
      detail: "no readable kernel config",
      node: o.required
        ? `cannot check it either; without it k3s fails later (${kind}: ${o.reason})`
        : `${kind}: ${o.reason}`,
    };
  }
  if (!(o.name in f.options)) {
    return {
      ...base,
      result: "unknown",
      detail: "not asked: the option list changed since this probe; probe again",
      node: `checks it at boot (${kind}: ${o.reason})`,
    };
  }
  const s = optionState(f.options[o.name], f.kernelModules);
  if (s.present) return { ...base, result: "ok", detail: s.detail, node: `${kind}: ${o.reason}` };
  return {
    ...base,
    result: "missing",
    detail: s.detail,
    node: o.required
      ? `the node refuses to start (${kind}: ${o.reason})`
      : `starts, warns (${kind}: ${o.reason})`,
  };
}
