/**
 * The turns of the rolls a deploy's apply runs, from its saved plan: which
 * roll steps are a machine's first start (its machine is created by the same
 * apply: they take no turn and start at once, beside everything else), and in
 * which order the rolls of machines that have run go, as the graph ordered
 * them before (constructs/fly-node.ts): the bootstrap server, then each other
 * server, one at a time; then the workers, a quarter of each group at a time
 * (`rollLanes`), every group side by side. ops/apply-turns.ts applies them.
 * Pure.
 */
import { controlPlaneMachineName, workerMachineName } from "../config/naming";
import { ShowState } from "../contract/tofu-state";

/** One resource change of `tofu show -json <plan>`, the part read here. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
  };
}

/** The part of `tofu show -json <plan>` the deploy reads. */
export interface SavedPlan {
  readonly resource_changes?: readonly PlannedChange[];
  readonly resource_drift?: readonly PlannedChange[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
  /** The state the plan was made against, refreshed. */
  readonly prior_state?: ShowState;
}

/**
 * How many of a group's workers may roll at once: a quarter of them, rounded
 * down, at least one (Kubernetes' default `maxUnavailable` for rolling
 * updates). Pure.
 */
export function rollLanes(groupSize: number): number {
  return Math.max(1, Math.floor(groupSize / 4));
}

/** A roll step the plan runs. */
export interface PlannedRoll {
  readonly address: string;
  /** `ctrl-1`, `worker-ng-0-3`; the address when the config names no node. */
  readonly machine: string;
  readonly role?: "server" | "agent";
  readonly bootstrap: boolean;
  readonly index: number;
  readonly group?: string;
}

export interface RollTurns {
  /** Roll steps of machines created by this apply: their first start, no turn. */
  readonly firstStarts: readonly PlannedRoll[];
  /** The rolls of machines that have run, turn by turn; a turn's rolls go together. */
  readonly turns: readonly (readonly PlannedRoll[])[];
  /** Whether the plan changes anything besides the rolls in `turns`. */
  readonly others: boolean;
}

const RUNS = (actions: readonly string[]) => actions.includes("create");

interface Triggers {
  readonly config?: unknown;
  readonly machine_id?: unknown;
}

const triggersOf = (v: unknown): Triggers | undefined =>
  v && typeof v === "object" ? ((v as { triggers?: Triggers }).triggers ?? undefined) : undefined;

/** Whether the plan's value of `key` in `triggers` is only known after the apply. */
function unknownTrigger(afterUnknown: unknown, key: string): boolean {
  if (!afterUnknown || typeof afterUnknown !== "object") return false;
  const t = (afterUnknown as { triggers?: unknown }).triggers;
  return (
    t === true || (!!t && typeof t === "object" && (t as Record<string, unknown>)[key] === true)
  );
}

/** A roll step (a null_resource with a machine and a config trigger). */
function isRollStep(c: PlannedChange): boolean {
  if (c.type !== "null_resource") return false;
  const t = triggersOf(c.change.after) ?? triggersOf(c.change.before);
  const known = (k: keyof Triggers) =>
    (t && t[k] !== undefined) || unknownTrigger(c.change.after_unknown, k);
  return !!known("config") && !!known("machine_id");
}

/** The node a roll step's desired config describes (after the apply, else before). */
function nodeOf(c: PlannedChange): Omit<PlannedRoll, "address" | "machine"> {
  for (const v of [c.change.after, c.change.before]) {
    const config = triggersOf(v)?.config;
    if (typeof config !== "string") continue;
    try {
      const { env, metadata } = JSON.parse(config) as {
        env?: Record<string, string>;
        metadata?: Record<string, string>;
      };
      const role = env?.K3S_ROLE ?? metadata?.fly_k3s_role;
      return {
        role: role === "server" || role === "agent" ? role : undefined,
        bootstrap: env?.K3S_BOOTSTRAP === "true",
        index: Number(metadata?.fly_k3s_index ?? 0),
        group: metadata?.fly_k3s_node_group,
      };
    } catch {
      // Not JSON: a node the turns cannot place.
    }
  }
  return { bootstrap: false, index: 0 };
}

function plannedRoll(c: PlannedChange): PlannedRoll {
  const n = nodeOf(c);
  const machine =
    n.role === "server"
      ? controlPlaneMachineName(n.index)
      : n.role === "agent" && n.group !== undefined
        ? workerMachineName(n.group, n.index)
        : c.address;
  return { address: c.address, machine, ...n };
}

/** `list` in chunks of `size`. Pure. */
function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The turns of a saved plan's rolls (see the module comment). Pure. */
export function rollTurns(plan: SavedPlan): RollTurns {
  const changes = plan.resource_changes ?? [];
  const rollSteps = changes.filter(isRollStep);
  const running = rollSteps.filter((c) => RUNS(c.change.actions));
  // A new machine's id is known only once the apply created it.
  const first = running.filter((c) => unknownTrigger(c.change.after_unknown, "machine_id"));
  const ran = running.filter((c) => !first.includes(c)).map(plannedRoll);

  const servers = ran
    .filter((r) => r.role === "server")
    .sort((a, b) => Number(b.bootstrap) - Number(a.bootstrap) || a.index - b.index);
  // A roll whose node cannot be told goes alone, after the servers.
  const unplaced = ran.filter((r) => r.role === undefined);
  const groupSize = new Map<string, number>();
  for (const c of rollSteps.filter((x) => x.change.after !== null)) {
    const r = plannedRoll(c);
    if (r.role === "agent" && r.group !== undefined) {
      groupSize.set(r.group, (groupSize.get(r.group) ?? 0) + 1);
    }
  }
  const byGroup = new Map<string, PlannedRoll[]>();
  for (const r of ran.filter((x) => x.role === "agent")) {
    const g = r.group ?? "";
    byGroup.set(g, [...(byGroup.get(g) ?? []), r]);
  }
  const workerTurns: PlannedRoll[][] = [];
  for (const g of [...byGroup.keys()].sort()) {
    const rolls = (byGroup.get(g) ?? []).sort((a, b) => a.index - b.index);
    chunks(rolls, rollLanes(groupSize.get(g) ?? rolls.length)).forEach((chunk, k) => {
      workerTurns[k] = [...(workerTurns[k] ?? []), ...chunk];
    });
  }
  const turns = [...servers.map((s) => [s]), ...unplaced.map((u) => [u]), ...workerTurns];
  const inTurns = new Set(ran.map((r) => r.address));
  const others = changes.some(
    (c) => !inTurns.has(c.address) && c.change.actions.some((a) => a !== "no-op" && a !== "read"),
  );
  return { firstStarts: first.map(plannedRoll), turns, others };
}
