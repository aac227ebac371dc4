/**
 * The K3S_VERSION check against what runs (config/upgrade.ts), for `--plan`
 * and before a deploy: the versions come from the stack's state
 * (`tofu show -json`, contract/tofu-state.ts `runningNodes`), the line from
 * the config file, so a refusal reads like every config error:
 *   clusters/prod/config:13: K3S_VERSION: v1.36.3+k3s1 skips Kubernetes 1.35: ...
 */
import * as fs from "fs";
import { formatIssue } from "../config/errors";
import { parseConfigText } from "../config/parse";
import { Upgrade, upgradeLines, upgradeProblems } from "../config/upgrade";
import { ShowState, runningNodes } from "../contract/tofu-state";
import { RunResult } from "./toolchain";

export interface UpgradeReport {
  /** Refusals, `file:line: K3S_VERSION: why; fix`: the deploy must not start. */
  readonly errors: readonly string[];
  /** `warning: file:line: K3S_VERSION: ...` lines, then the upgrade's order when a version changes. */
  readonly lines: readonly string[];
}

/**
 * The report for K3S_VERSION `configured`, written on a line of `text` (the
 * config file shown as `file`), against the state `show`. Pure.
 */
export function upgradeReport(
  file: string,
  text: string,
  configured: string,
  show: ShowState | undefined,
): UpgradeReport {
  const parsed = parseConfigText(text);
  const line = parsed.assignments.find((a) => a.key === "K3S_VERSION")?.line ?? parsed.lineCount;
  const at = (message: string) => formatIssue(file, { line, key: "K3S_VERSION", message });
  const check = upgradeProblems(configured, runningNodes(show));
  return {
    errors: check.problems.map(at),
    lines: [
      ...check.notes.map((n) => `warning: ${at(n)}`),
      ...(check.upgrade && check.problems.length === 0 ? upgradeLines(check.upgrade) : []),
    ],
  };
}

/**
 * Reads the stack's state through `tofu` (Stack.tofu, after Stack.prepare)
 * and checks `configured` against it. `configFile` is read for the line;
 * `shown` is how it appears in messages (`clusters/<name>/config`).
 */
export async function checkUpgrade(
  tofu: (args: string[]) => Promise<RunResult>,
  configFile: string,
  shown: string,
  configured: string,
): Promise<UpgradeReport> {
  const show = await stateOf(tofu);
  return upgradeReport(shown, fs.readFileSync(configFile, "utf8"), configured, show);
}

/** The stack's state, `tofu show -json`. */
async function stateOf(tofu: (args: string[]) => Promise<RunResult>): Promise<ShowState> {
  // `show -json` answers for a missing state too (a new cluster: nothing runs).
  const r = await tofu(["show", "-json", "-no-color"]);
  if (r.status !== 0) throw new Error(`tofu show failed:\n${r.stderr.trim() || r.stdout.trim()}`);
  return JSON.parse(r.stdout) as ShowState;
}

/**
 * Before a deploy (./k3s.sh -c and npm run cdktf -- deploy alike): refuses a
 * K3S_VERSION change the skew policy forbids, saying why; otherwise logs the
 * roll order of an upgrade. True when the deploy may go on. `beforeRoll`
 * runs when a K3S_VERSION change will roll (-c: the pre-upgrade etcd snapshot,
 * cli/verbs/snapshot.ts); false from it stops the deploy too.
 */
export async function upgradeAllowed(
  tofu: (args: string[]) => Promise<RunResult>,
  cluster: { readonly configFile: string; readonly config: { readonly k3sVersion: string } },
  shown: string,
  log: (line: string) => void,
  beforeRoll?: (upgrade: Upgrade) => Promise<boolean>,
): Promise<boolean> {
  const configured = cluster.config.k3sVersion;
  const show = await stateOf(tofu);
  const r = upgradeReport(shown, fs.readFileSync(cluster.configFile, "utf8"), configured, show);
  for (const e of r.errors) log(e);
  if (r.errors.length > 0) return false;
  for (const l of r.lines) log(l);
  const upgrade = beforeRoll && upgradeProblems(configured, runningNodes(show)).upgrade;
  return upgrade ? beforeRoll(upgrade) : true;
}
