/**
 * What the probe sends to its machine: the capability script
 * (images/k3s-node/capabilities.sh) with the kernel option names in front of
 * it, run as `sh -s -- <cp host> <own host>` with the script on stdin, and the
 * argv that shows how the exec endpoint carries spaces and quotes. Pure.
 */
import { quote } from "shell-quote";
import { KernelOption } from "./types";

/** Where the script lives, relative to the repository root. */
export const CAPABILITY_SCRIPT_PATH = "images/k3s-node/capabilities.sh";

/**
 * The text sent on stdin: `probe_options='…'` (the names of the list, one
 * owner: k3s-fly.config), then the script as it is in the repository.
 */
export function buildProbeScript(script: string, options: readonly KernelOption[]): string {
  for (const o of options) {
    if (!/^CONFIG_[A-Z0-9_]+$/.test(o.name)) throw new Error(`not a kernel option name: ${o.name}`);
  }
  const names = options.map((o) => o.name).join(" ");
  return `probe_options=${quote([names])}\n${script}`;
}

/** The exec argv that runs the script from stdin with the two names to resolve. */
export function probeCommand(cpHost: string, selfHost: string): string[] {
  return ["sh", "-s", "--", cpHost, selfHost];
}

/** Arguments with a space, a single quote and double quotes, as the deploy's exec steps may send. */
const QUOTING_ARGS = ["a b", `it's "q"`];

/** The argv of the quoting check: prints each argument it receives between `<` and `>`. */
export const QUOTING_COMMAND: readonly string[] = [
  "sh",
  "-c",
  `printf '<%s>' "$@"`,
  "x",
  ...QUOTING_ARGS,
];

/** What the quoting check prints when every argument arrives as sent. */
export const QUOTING_EXPECTED = QUOTING_ARGS.map((a) => `<${a}>`).join("");
