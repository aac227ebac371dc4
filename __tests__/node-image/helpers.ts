import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const imageDir = path.join(repoRoot, "images", "k3s-node");
export const checkKernelScript = path.join(imageDir, "kernel", "check-kernel.sh");
export const kernelFragment = path.join(imageDir, "kernel", "k3s-fly.config");
export const renderScript = path.join(imageDir, "render-config.sh");
export const entrypointScript = path.join(imageDir, "entrypoint.sh");
export const renumberScript = path.join(imageDir, "renumber.sh");
export const datastoreScript = path.join(imageDir, "datastore.sh");
/** POSIX sh (busybox, dash): ./k3s.sh --probe sends it to machines of any image. */
export const capabilitiesScript = path.join(imageDir, "capabilities.sh");

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script with exactly `env` (plus PATH), never the caller's environment. */
export function run(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): RunResult {
  const result = spawnSync("bash", [script, ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fly-k3s-${prefix}-`));
}

export interface FragmentOption {
  readonly name: string;
  readonly optional: boolean;
  readonly reason: string;
}

/** Parses images/k3s-node/kernel/k3s-fly.config the way check-kernel.sh does. */
export function fragmentOptions(): FragmentOption[] {
  const options: FragmentOption[] = [];
  for (const line of fs.readFileSync(kernelFragment, "utf8").split("\n")) {
    const body = line.split("#")[0].trim();
    if (body === "") continue;
    const match = /^(CONFIG_[A-Z0-9_]+)=y$/.exec(body);
    if (!match) throw new Error(`unexpected fragment line: ${line}`);
    const marked = /#\s*(required|optional):\s*(.*)$/.exec(line);
    options.push({
      name: match[1],
      optional: marked?.[1] === "optional",
      reason: marked?.[2].trim() ?? "",
    });
  }
  return options;
}

/** Writes a kernel config holding every fragment option at `value`, with overrides. */
export function writeKernelConfig(
  file: string,
  overrides: Record<string, string | null> = {},
  value = "y",
): string {
  const lines = ["# Test kernel config", "# CONFIG_MODULES is not set"];
  for (const { name } of fragmentOptions()) {
    if (name in overrides) continue;
    lines.push(`${name}=${value}`);
  }
  for (const [name, v] of Object.entries(overrides)) {
    lines.push(v === null ? `# ${name} is not set` : `${name}=${v}`);
  }
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}
