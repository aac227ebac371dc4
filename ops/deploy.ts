/**
 * A deploy of one synthesized stack with OpenTofu, routed around what the
 * stategraph/fly provider cannot see or do on Fly:
 *
 * 1. refresh the state from Fly (a refresh-only apply);
 * 2. find what Terraform alone would not repair (`repairsNeeded`, pure): a
 *    machine Fly reports destroyed (the provider keeps it, as Fly still answers
 *    GET for a while) is replaced; a roll step is re-run when its machine is not
 *    running or its image, env, metadata or guest differ from the declared
 *    config (fields Terraform ignores, see constructs/fly-node.ts);
 * 3. apply, with `-replace` for those;
 * 4. record what the roll steps changed (a second refresh-only apply), so a
 *    later refresh-only plan (the drift check) reports only changes made by
 *    someone else.
 */
import { MANAGED_CONFIG_FIELDS, sameValue } from "./cluster-ops";

export interface TofuResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the project's tofu in the stack directory with the given arguments. */
export type TofuRun = (args: string[]) => Promise<TofuResult>;

interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, unknown>;
}

/** The part of `tofu show -json` (of a state) that is read here. */
export interface ShowState {
  readonly values?: { readonly root_module?: { readonly resources?: StateResource[] } };
}

export interface Repair {
  /** Resource address to pass to `-replace`. */
  readonly address: string;
  /** Why, in the operator's words. */
  readonly reason: string;
}

const GONE = ["destroyed", "destroying"];
const NOT_RUNNING = ["stopped", "suspended", "failed"];

/** Machine values as the provider stores them, in the shape the roll step's config has. */
function managedFields(machine: Record<string, unknown>): Record<string, unknown> {
  const guest = machine.guest as Record<string, unknown> | null | undefined;
  return {
    image: machine.image,
    env: machine.env ?? undefined,
    metadata: machine.metadata ?? undefined,
    guest: guest
      ? { cpu_kind: guest.cpu_kind, cpus: guest.cpus, memory_mb: guest.memory_mb }
      : undefined,
  };
}

/** What a deploy must replace, from a freshly refreshed state. Pure. */
export function repairsNeeded(show: ShowState): Repair[] {
  const resources = show.values?.root_module?.resources ?? [];
  const machines = new Map(
    resources.filter((r) => r.type === "fly_machine").map((r) => [r.values.id as string, r]),
  );
  const repairs: Repair[] = [];
  for (const m of machines.values()) {
    const state = m.values.state as string;
    if (GONE.includes(state)) {
      repairs.push({ address: m.address, reason: `machine ${m.values.name} is ${state} on Fly` });
    }
  }
  for (const step of resources.filter((r) => r.type === "null_resource")) {
    const triggers = (step.values.triggers ?? {}) as Record<string, string>;
    if (triggers.config === undefined || triggers.machine_id === undefined) continue;
    const m = machines.get(triggers.machine_id);
    if (!m || GONE.includes(m.values.state as string)) continue;
    const name = m.values.name as string;
    if (NOT_RUNNING.includes(m.values.state as string)) {
      repairs.push({ address: step.address, reason: `machine ${name} is ${m.values.state}` });
      continue;
    }
    const desired = JSON.parse(triggers.config) as Record<string, unknown>;
    const actual = managedFields(m.values);
    const differ = MANAGED_CONFIG_FIELDS.filter(
      (f) => desired[f] !== undefined && !sameValue(desired[f], actual[f]),
    );
    if (differ.length > 0) {
      repairs.push({
        address: step.address,
        reason: `machine ${name}: ${differ.join(", ")} differ from the declared config`,
      });
    }
  }
  return repairs;
}

export interface DeployOptions {
  /** Extra arguments for the apply, e.g. `-target=...`. @default none */
  readonly applyArgs?: readonly string[];
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
}

export interface DeployResult extends TofuResult {
  readonly repairs: Repair[];
}

const AUTO = ["-input=false", "-auto-approve", "-no-color"];

/** Deploys the stack the runner points at (see the module comment). */
export async function deploy(run: TofuRun, opts: DeployOptions = {}): Promise<DeployResult> {
  const log = opts.log ?? (() => {});
  const fail = (r: TofuResult, repairs: Repair[] = []) => ({ ...r, repairs });
  log("refreshing the state from Fly");
  const refresh = await run(["apply", "-refresh-only", ...AUTO]);
  if (refresh.status !== 0) return fail(refresh);
  const show = await run(["show", "-json"]);
  if (show.status !== 0) return fail(show);
  const repairs = show.stdout.trim() ? repairsNeeded(JSON.parse(show.stdout) as ShowState) : [];
  for (const r of repairs) log(`repairing ${r.address}: ${r.reason}`);
  log("applying");
  const apply = await run([
    "apply",
    ...AUTO,
    ...repairs.map((r) => `-replace=${r.address}`),
    ...(opts.applyArgs ?? []),
  ]);
  if (apply.status !== 0) return fail(apply, repairs);
  log("recording what the roll steps changed");
  const record = await run(["apply", "-refresh-only", ...AUTO]);
  if (record.status !== 0) return fail(record, repairs);
  return { ...apply, repairs };
}
