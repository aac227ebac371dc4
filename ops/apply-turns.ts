/**
 * A deploy's plan and apply (ops/deploy.ts): one plan, saved, that also
 * refreshes the state from Fly (nothing is refreshed twice), and its apply,
 * with the rolls of machines that have run in turns (ops/roll-turns.ts).
 *
 * Without such rolls (a create, a new machine, nothing to do) the saved plan
 * is applied as it is: every new machine starts as soon as it exists. With
 * them, the apply goes in parts, none refreshing again: the saved plan's
 * refreshed state is written first (ops/state-file.ts), then everything else
 * (`-exclude` of those rolls and what depends on them: new machines start at
 * once here), then each turn (`-target`), then what depended on them. Every
 * apply of a deploy runs
 * with ROLLS_IN_TURNS_ENV set: a roll step that would change a machine that
 * has run refuses to run without it (ops/roll.ts, `rollStep`), so a bare
 * `tofu apply` cannot restart the servers all at once.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROLLS_IN_TURNS_ENV } from "../contract/fly-machines-call";
import type { TofuResult, TofuRun } from "./deploy";
import { PlannedRoll, RollTurns, SavedPlan, rollTurns } from "./roll-turns";
import { pushRefusal, pushState, refreshedStateOf } from "./state-file";

const AUTO = ["-input=false", "-auto-approve", "-no-color"];

/** The environment of a deploy's applies. */
export const IN_TURNS: Record<string, string> = { [ROLLS_IN_TURNS_ENV]: "1" };

/** A saved plan: its file (in a directory of its own) and what `show -json` says of it. */
export interface Planned extends TofuResult {
  readonly file: string;
  readonly plan: SavedPlan;
  /** The arguments it was made with (`-replace=...`, the caller's). */
  readonly args: readonly string[];
}

/**
 * Plans into a file and reads the plan back. The plan refreshes the state
 * from Fly; it takes no lock (it writes nothing; applying it checks that the
 * state did not change meanwhile), so it can run beside the adoption.
 */
export async function planSaved(run: TofuRun, args: readonly string[]): Promise<Planned> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-deploy-"));
  const file = path.join(dir, "plan");
  const made = await run([
    "plan",
    "-input=false",
    "-no-color",
    "-lock=false",
    `-out=${file}`,
    ...args,
  ]);
  if (made.status !== 0) return { ...made, file, plan: {}, args };
  const shown = await run(["show", "-json", file]);
  if (shown.status !== 0) return { ...shown, file, plan: {}, args };
  return { ...made, file, plan: JSON.parse(shown.stdout) as SavedPlan, args };
}

/** Removes a saved plan's directory. */
export function discardPlan(p: Planned): void {
  fs.rmSync(path.dirname(p.file), { recursive: true, force: true });
}

export interface AppliedInTurns extends TofuResult {
  /** Whether any roll step ran (they change machines where Terraform does not look). */
  readonly rolled: boolean;
}

const names = (rolls: readonly PlannedRoll[]) => rolls.map((r) => r.machine).join(", ");

const acts = (actions: readonly string[]) => actions.some((a) => a !== "no-op" && a !== "read");

/**
 * OpenTofu's parallelism for a plan's apply: every change at once (at least
 * OpenTofu's default, 10). The limits are Fly's, which the pacer keeps
 * (ops/fly-pacer.ts): with the default, ten creates waiting their turn in
 * one app's bucket (1/s) would hold every slot, and the volumes, machines and
 * first starts of a large group would go one kind after the other instead of
 * side by side. Pure.
 */
export function parallelism(plan: SavedPlan): number {
  return Math.max(10, (plan.resource_changes ?? []).filter((c) => acts(c.change.actions)).length);
}

/**
 * Whether applying the plan would write anything: a change, an output, or
 * what the refresh found changed on Fly (kept in the state). Pure.
 */
export function planWrites(plan: SavedPlan): boolean {
  return (
    (plan.resource_changes ?? []).some((c) => acts(c.change.actions)) ||
    Object.values(plan.output_changes ?? {}).some((o) => acts(o.actions)) ||
    (plan.resource_drift ?? []).length > 0
  );
}

/**
 * Applies a saved plan (see the module comment). `replace` names the
 * `-replace` addresses the plan was made with: each goes to the part of the
 * apply that holds its resource. Stops at the first part that fails.
 */
export async function applyInTurns(
  run: TofuRun,
  planned: Planned,
  replace: readonly string[],
  log: (line: string) => void,
): Promise<AppliedInTurns> {
  const t: RollTurns = rollTurns(planned.plan);
  const rolled = t.firstStarts.length > 0 || t.turns.length > 0;
  const width = `-parallelism=${parallelism(planned.plan)}`;
  if (t.firstStarts.length > 0) {
    const n = t.firstStarts.length;
    log(`${n} new machine${n === 1 ? "" : "s"}: each starts once, as soon as it exists`);
  }
  if (t.turns.length === 0) {
    if (!planWrites(planned.plan)) {
      log("nothing to change: the plan is not applied");
      return { status: 0, stdout: "", stderr: "", rolled };
    }
    const r = await run(["apply", ...AUTO, width, planned.file], IN_TURNS);
    return { ...r, rolled };
  }
  const outputs: TofuResult[] = [];
  const done = (last: TofuResult): AppliedInTurns => ({
    status: last.status,
    stdout: outputs.map((o) => o.stdout).join("\n"),
    stderr: outputs.map((o) => o.stderr).join(""),
    rolled,
  });
  const inTurns = t.turns.flat().map((r) => r.address);
  const extra = planned.args.filter((a) => !a.startsWith("-replace="));
  const replaceIn = (addresses: readonly string[]) =>
    replace.filter((a) => addresses.includes(a)).map((a) => `-replace=${a}`);
  const apply = async (args: string[]): Promise<boolean> => {
    const r = await run(["apply", ...AUTO, width, ...args], IN_TURNS);
    outputs.push(r);
    return r.status === 0;
  };
  log(
    `applying all but the rolls of machines that have run (${names(t.turns.flat())}), ` +
      `which then take turns`,
  );
  // The parts plan from what the saved plan's refresh read (a roll follows
  // what Fly changed, such as a volume's zone in the env), written into the
  // state now: the saved plan itself cannot be applied in parts. Without it
  // (an encrypted plan file, a refused push), the first part refreshes again.
  const refreshed = refreshedStateOf(planned.file);
  const pushed = refreshed ? await pushState(run, refreshed) : undefined;
  if (pushed && pushed.status !== 0) {
    // Another run holds the lock (its apply waits for it with -lock-timeout;
    // `state push` does not), or the state moved since the plan: the first
    // part refreshes and plans from the state as it then is.
    log(
      `the plan's refreshed state was not written (${pushRefusal(pushed.stderr)}); refreshing again`,
    );
  }
  const refresh = pushed?.status === 0 ? ["-refresh=false"] : [];
  const others = replace.filter((a) => !inTurns.includes(a)).map((a) => `-replace=${a}`);
  if (!(await apply([...refresh, ...inTurns.map((a) => `-exclude=${a}`), ...others, ...extra]))) {
    return done(outputs[outputs.length - 1]);
  }
  for (const [k, turn] of t.turns.entries()) {
    log(`rolling ${names(turn)} (turn ${k + 1} of ${t.turns.length})`);
    const addresses = turn.map((r) => r.address);
    const targets = addresses.map((a) => `-target=${a}`);
    if (!(await apply(["-refresh=false", ...targets, ...replaceIn(addresses)]))) {
      return done(outputs[outputs.length - 1]);
    }
  }
  if (t.others) {
    log("applying what waited for the rolls");
    await apply(["-refresh=false", ...extra]);
  }
  return done(outputs[outputs.length - 1]);
}
