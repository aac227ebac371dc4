/**
 * A deploy of one synthesized stack with OpenTofu, routed around what the
 * stategraph/fly provider cannot see or do on Fly:
 *
 * 1. adopt what an interrupted run left on Fly outside the state, and remove
 *    what it created twice (ops/adopt.ts), when the caller gives the declared
 *    resources and a Machines API client;
 * 2. refresh the state from Fly, in a saved plan (ops/apply-turns.ts) made
 *    beside the adoption (planned again when the adoption acted);
 * 3. find what Terraform alone would not repair (`repairsNeeded`, pure): a
 *    machine Fly reports destroyed (the provider keeps it, as Fly still answers
 *    GET for a while) is replaced; a volume Fly deleted (soft-deleted:
 *    `pending_destroy`, or gone) is replaced with its machine, saying that its
 *    data is lost; a roll step is re-run when its machine is not running or
 *    its image, env, metadata or guest differ from the declared config (fields
 *    Terraform ignores, see constructs/fly-node.ts); and say which machines
 *    came back with a new 6PN address (`addressChanges`, pure);
 * 4. drain the workers the apply is about to destroy (ops/shrink.ts);
 *    apply the plan (planned again with `-replace` for those), the rolls of
 *    machines that have run in turns (ops/apply-turns.ts); when the apply
 *    fails (a create the provider gave up on, a fault Fly kept answering),
 *    adopt again and apply again, a bounded number of rounds;
 * 5. when roll steps ran, record what they changed (ops/record.ts: from
 *    Fly's lists, else a refresh-only apply), so a later refresh-only plan
 *    (the drift check) reports only changes made by someone else.
 */
import { setTimeout } from "node:timers/promises";
import { MACHINE_DOWN, MACHINE_GONE, VOLUME_GONE, stateIn } from "../contract/fly-states";
import { MANAGED_CONFIG_FIELDS, sameValue } from "../contract/machine-config";
import { ShowState, StateResource, mountedVolume, stateResources } from "../contract/tofu-state";
import { adopt } from "./adopt";
import { AddressChange, addressChangeLine, addressChanges } from "./address-changes";
import { Planned, applyInTurns, discardPlan, planSaved } from "./apply-turns";
import { Declared } from "./declared";
import { recordChanges } from "./record";
import { MachinesApi, leaseExpiriesIn } from "./machines-api";
import { S3SyncWhen, s3CredentialsAroundApply } from "./s3-credentials";
import { drainBeforeApply } from "./shrink";

export type { AddressChange } from "./address-changes";
export { addressChangeLine, addressChanges } from "./address-changes";

export interface TofuResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the project's tofu in the stack directory with the given arguments;
 * `env` is added to the environment of that run (and of its steps).
 */
export type TofuRun = (args: string[], env?: Record<string, string>) => Promise<TofuResult>;

export interface Repair {
  /** Resource address to pass to `-replace`. */
  readonly address: string;
  /** Why, in the operator's words. */
  readonly reason: string;
}

/**
 * The message for a volume deleted on Fly, saying what happens to a server and
 * its etcd member (`env` is the machine's, from the state). Pure.
 */
export function lostVolumeMessage(
  volume: string,
  machine: string,
  env?: Record<string, string> | null,
): string {
  const lost = `volume ${volume} of ${machine} was destroyed on Fly: its data is lost; a new empty volume is created`;
  if (env?.K3S_ROLE !== "server") return lost;
  const cleanup =
    `the dead member's node is then deleted, so k3s removes it from etcd before any other ` +
    `server restarts`;
  if (env.K3S_BOOTSTRAP === "true") {
    return (
      `${lost}. ${machine} is the bootstrap server, and its etcd member is lost with the volume. ` +
      `The new machine never founds a second cluster: the bootstrap step asks the other ` +
      `servers, and when one holds etcd data and is healthy, ${machine} joins through it as a ` +
      `new etcd member (${cleanup}); when none is healthy the deploy stops and says so, and ` +
      `${machine} waits, told nothing`
    );
  }
  return (
    `${lost}. ${machine} is a server, and its etcd member is lost with the volume: the new ` +
    `machine joins the bootstrap server as a new etcd member (its join step); ${cleanup}`
  );
}

const env = (m: StateResource) => m.values.env as Record<string, string> | null | undefined;

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

/**
 * What a deploy must replace, from a freshly refreshed state; `previous` (the
 * state before the refresh) names a volume the refresh dropped (Fly answered
 * 404). Pure.
 */
export function repairsNeeded(show: ShowState, previous?: ShowState): Repair[] {
  const resources = stateResources(show);
  const machines = new Map(
    resources.filter((r) => r.type === "fly_machine").map((r) => [r.values.id as string, r]),
  );
  const volumes = new Map(
    resources.filter((r) => r.type === "fly_volume").map((r) => [r.values.id as string, r]),
  );
  const before = new Map(
    stateResources(previous)
      .filter((r) => r.type === "fly_volume")
      .map((r) => [r.values.id as string, r]),
  );
  const repairs: Repair[] = [];
  const replaced = new Set<string>();
  for (const m of machines.values()) {
    const name = m.values.name as string;
    const volumeId = mountedVolume(m.values.mount);
    if (volumeId === undefined) continue;
    const v = volumes.get(volumeId);
    if (v && stateIn(VOLUME_GONE, v.values.state)) {
      repairs.push({
        address: v.address,
        reason: lostVolumeMessage(v.values.name as string, name, env(m)),
      });
      repairs.push({
        address: m.address,
        reason: `machine ${name} is recreated on the new volume`,
      });
      replaced.add(m.address);
    } else if (!v) {
      const gone = before.get(volumeId);
      const volName = gone ? (gone.values.name as string) : volumeId;
      repairs.push({ address: m.address, reason: lostVolumeMessage(volName, name, env(m)) });
      replaced.add(m.address);
    }
  }
  for (const m of machines.values()) {
    const state = m.values.state as string;
    if (stateIn(MACHINE_GONE, state) && !replaced.has(m.address)) {
      repairs.push({ address: m.address, reason: `machine ${m.values.name} is ${state} on Fly` });
      replaced.add(m.address);
    }
  }
  for (const step of resources.filter((r) => r.type === "null_resource")) {
    const triggers = (step.values.triggers ?? {}) as Record<string, string>;
    if (triggers.config === undefined || triggers.machine_id === undefined) continue;
    const m = machines.get(triggers.machine_id);
    if (!m || stateIn(MACHINE_GONE, m.values.state) || replaced.has(m.address)) continue;
    const name = m.values.name as string;
    if (stateIn(MACHINE_DOWN, m.values.state)) {
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
  /** Extra arguments for the plan, e.g. `-target=...`. @default none */
  readonly applyArgs?: readonly string[];
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /**
   * The stack's declared machines and volumes and a Machines API client:
   * adopt what an interrupted run left outside the state before applying.
   * @default no adoption
   */
  readonly adopt?: { readonly declared: Declared; readonly api: MachinesApi };
  /** Apply rounds in all when an apply fails (each adopts again first). @default 3 */
  readonly rounds?: number;
  /** Injected for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where the etcd snapshots' S3 keys are read from (ops/s3-credentials.ts). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface DeployResult extends TofuResult {
  readonly repairs: Repair[];
  /** Machines that came back with a new 6PN address. */
  readonly renumbered: AddressChange[];
}

function parseShow(r: TofuResult): ShowState {
  return r.stdout.trim() ? (JSON.parse(r.stdout) as ShowState) : {};
}

/** Deploys the stack the runner points at (see the module comment). */
export async function deploy(run: TofuRun, opts: DeployOptions = {}): Promise<DeployResult> {
  const log = opts.log ?? (() => {});
  const rounds = opts.rounds ?? 3;
  const repairs: Repair[] = [];
  const renumbered: AddressChange[] = [];
  const fail = (r: TofuResult) => ({ ...r, repairs, renumbered });
  let last: TofuResult = { status: 1, stdout: "", stderr: "no apply ran" };
  let rolled = false;
  // The etcd snapshots' S3 keys onto the servers, read from the environment now
  // (ops/s3-credentials.ts): before the apply for the servers it restarts, after it
  // for those it creates.
  const s3Keys = async (when: S3SyncWhen): Promise<TofuResult | undefined> => {
    if (!opts.adopt) return undefined;
    const why = await s3CredentialsAroundApply(opts.adopt, opts.env ?? process.env, log, when);
    if (why) log(why);
    return why ? { status: 1, stdout: "", stderr: why } : undefined;
  };
  const s3Before = await s3Keys("before the apply");
  if (s3Before) return fail(s3Before);
  for (let round = 1; round <= rounds; round++) {
    const first = await run(["show", "-json"]);
    if (first.status !== 0) return fail(first);
    let before = parseShow(first);
    log("refreshing the state from Fly (in the plan)");
    const extra = opts.applyArgs ?? [];
    let planning = planSaved(run, extra);
    if (opts.adopt) {
      log("comparing Fly with the state (machines and volumes an interrupted run left)");
      try {
        const acted = await adopt(
          { tofu: run, api: opts.adopt.api, log },
          opts.adopt.declared,
          before,
        );
        if (acted.length > 0) {
          discardPlan(await planning);
          const again = await run(["show", "-json"]);
          if (again.status !== 0) return fail(again);
          before = parseShow(again);
          planning = planSaved(run, extra);
        }
      } catch (e) {
        discardPlan(await planning);
        return fail({ status: 1, stdout: "", stderr: (e as Error).message });
      }
    }
    let planned: Planned = await planning;
    if (planned.status !== 0) {
      discardPlan(planned);
      return fail(planned);
    }
    const refreshed = planned.plan.prior_state ?? {};
    for (const c of addressChanges(before, refreshed)) {
      renumbered.push(c);
      log(addressChangeLine(c));
    }
    for (const line of machinesGone(before, refreshed)) log(line);
    const now = repairsNeeded(refreshed, before);
    for (const r of now) {
      log(`repairing ${r.address}: ${r.reason}`);
      if (!repairs.some((x) => x.address === r.address && x.reason === r.reason)) repairs.push(r);
    }
    const replace = [...new Set(now.map((r) => r.address))];
    // Workers the apply would destroy are drained first (ops/shrink.ts).
    const undrained = opts.adopt && (await drainBeforeApply(opts.adopt, refreshed, log));
    if (undrained) {
      discardPlan(planned);
      return fail({ status: 1, stdout: "", stderr: undrained });
    }
    if (replace.length > 0) {
      // Planned again with the repairs (this one refreshes again).
      discardPlan(planned);
      planned = await planSaved(run, [...replace.map((a) => `-replace=${a}`), ...extra]);
      if (planned.status !== 0) {
        discardPlan(planned);
        return fail(planned);
      }
    }
    log(round === 1 ? "applying" : `applying again (round ${round} of ${rounds})`);
    const applied = await applyInTurns(run, planned, replace, log);
    discardPlan(planned);
    last = applied;
    rolled ||= applied.rolled;
    if (last.status === 0) break;
    // Another run holds the state: this one stops, naming it (OpenTofu says who).
    if (/Error acquiring the state lock/.test(last.stderr)) break;
    if (round < rounds) {
      log(
        `apply failed (exit ${last.status}): ${lastLine(last.stderr)}; ` +
          `adopting what it left on Fly and applying again`,
      );
      await waitForLeases(last.stdout + last.stderr, log, opts.sleep);
    }
  }
  if (last.status !== 0) return fail(last);
  if (rolled) {
    log("recording what the roll steps changed");
    const record = await recordChanges(run, opts.adopt?.api, log);
    if (record.status !== 0) return fail(record);
  }
  const s3After = await s3Keys("after the apply");
  if (s3After) return fail(s3After);
  return { ...last, repairs, renumbered };
}

/**
 * Machines the refresh dropped from the state because Fly answers 404 for
 * them (gone with their host, or destroyed long ago): Terraform creates each
 * again, on its volume when the volume is still there. One line each. Pure.
 */
export function machinesGone(before: ShowState, after: ShowState): string[] {
  const ids = (s: ShowState) =>
    new Set(
      stateResources(s)
        .filter((r) => r.type === "fly_machine")
        .map((r) => r.values.id as string),
    );
  const now = ids(after);
  return stateResources(before)
    .filter((r) => r.type === "fly_machine" && !now.has(r.values.id as string))
    .map(
      (r) =>
        `machine ${r.values.name} (${r.values.id}) of ${r.values.app} is gone from Fly: it is created again (${r.address})`,
    );
}

/** Longest wait for a lease another (killed) run left: Fly leases last minutes, not more. */
export const MAX_LEASE_WAIT_MS = 15 * 60 * 1000;

/**
 * When Fly refused a call because a lease is held (`lease currently held by
 * <owner>, expires at <RFC3339>`, often left by a run killed mid-roll), the
 * latest such expiry in the output (OpenTofu wraps its error lines). Pure.
 */
export function leaseExpiry(output: string): number | undefined {
  const times = leaseExpiriesIn(output);
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** Waits, saying so, until the leases a failed run met have expired (bounded). */
export async function waitForLeases(
  output: string,
  log: (line: string) => void,
  sleep: (ms: number) => Promise<void> = (ms) => setTimeout(ms),
  now: () => number = Date.now,
): Promise<void> {
  const until = leaseExpiry(output);
  if (until === undefined) return;
  const ms = Math.min(MAX_LEASE_WAIT_MS, until - now() + 1000);
  if (ms <= 0) return;
  log(
    `a machine lease left by an interrupted run is held until ${new Date(until).toISOString()}: ` +
      `waiting ${Math.ceil(ms / 1000)}s for it to expire`,
  );
  await sleep(ms);
}

/** The last non-empty line of an error output, for a one-line progress message. Pure. */
function lastLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.replace(/^[│╵╷\s]+/, "").trim())
    .filter((l) => l && !/^Error: ?$/.test(l));
  const error = lines.find((l) => l.startsWith("Error:"));
  return (error ?? lines.pop() ?? "no output").slice(0, 300);
}
