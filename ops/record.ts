/**
 * After an apply whose steps changed machines where Terraform does not look
 * (the roll steps: a first start, a new config; the snapshots-off steps; Fly
 * attaching a volume to its machine, an app becoming deployed), write what
 * changed into the state, so that a later refresh-only plan (the drift check)
 * reports only changes made by someone else.
 *
 * The provider would read every resource back (a refresh-only apply), but its
 * client allows itself 10 requests a second: 7 s for 3 + 30 nodes, longer
 * than anything else around the apply. Here one list of each app's machines
 * and volumes and one read of each app are enough; the attributes written are
 * those changes can touch (a machine's state, instance, address and managed
 * config; every attribute of a volume; an app's status), converted as the
 * provider's read converts them (stategraph/fly `machineToModel`,
 * `setStateFromVolume`, the app's `Read`), and nothing else in the state moves. When anything here fails, the
 * refresh-only apply does it.
 */
import { Machine, Volume } from "../contract/machines-api-types";
import { RawState, pullState, pushState } from "./state-file";
import type { TofuResult, TofuRun } from "./deploy";
import { MachinesApi } from "./machines-api";

/** What Fly holds in one app of the state. */
export interface LiveApp {
  readonly app: string;
  readonly status?: string;
  readonly machines: readonly Machine[];
  readonly volumes: readonly Volume[];
}

type Attributes = Record<string, unknown>;

const nonEmpty = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length > 0 ? m : undefined;

/** A machine's attributes as the provider reads them, for the fields a roll changes. Pure. */
function machineAttributes(m: Machine, was: Attributes): Attributes {
  const g = m.config.guest;
  return {
    state: m.state,
    instance_id: m.instance_id,
    private_ip: m.private_ip,
    updated_at: (m as Machine & { updated_at?: string }).updated_at ?? was.updated_at,
    image: m.config.image,
    env: nonEmpty(m.config.env) ?? was.env,
    metadata: nonEmpty(m.config.metadata) ?? was.metadata,
    guest: g
      ? {
          cpu_kind: g.cpu_kind ?? "",
          cpus: g.cpus ?? 0,
          memory_mb: g.memory_mb ?? 0,
          gpu_kind: (g as { gpu_kind?: string }).gpu_kind || null,
          gpus: (g as { gpus?: number }).gpus || null,
        }
      : was.guest,
  };
}

/**
 * A volume's attributes as the provider reads them (`setStateFromVolume`): the
 * fields Fly's answer holds (a missing one is left as the state has it), a
 * null as the empty string its Go client makes of it. Pure.
 */
function volumeAttributes(v: Volume): Attributes {
  const fields = [
    "name",
    "region",
    "size_gb",
    "encrypted",
    "state",
    "zone",
    "attached_machine_id",
    "created_at",
    "snapshot_retention",
    "auto_backup_enabled",
  ];
  const w = v as unknown as Record<string, unknown>;
  const empty: Record<string, unknown> = { attached_machine_id: "", snapshot_retention: 0 };
  return Object.fromEntries(
    fields.filter((f) => w[f] !== undefined).map((f) => [f, w[f] ?? empty[f] ?? w[f]]),
  );
}

/**
 * The state with each machine, volume and app Fly still has written from
 * `live` (see the module comment), and the serial bumped when anything
 * changed; undefined when nothing did. Pure.
 */
export function recordedState(state: RawState, live: readonly LiveApp[]): RawState | undefined {
  const next = JSON.parse(JSON.stringify(state)) as RawState;
  const machines = new Map(live.flatMap((a) => a.machines.map((m) => [m.id, m])));
  const volumes = new Map(live.flatMap((a) => a.volumes.map((v) => [v.id, v])));
  const apps = new Map(live.map((a) => [a.app, a]));
  for (const r of next.resources ?? []) {
    if (r.mode !== "managed") continue;
    for (const inst of r.instances) {
      const at = inst.attributes;
      if (r.type === "fly_machine") {
        const m = machines.get(at.id as string);
        if (m) Object.assign(at, machineAttributes(m, at));
      } else if (r.type === "fly_volume") {
        const v = volumes.get(at.id as string);
        if (v) Object.assign(at, volumeAttributes(v));
      } else if (r.type === "fly_app") {
        const status = apps.get(at.name as string)?.status;
        if (status !== undefined) at.status = status;
      }
    }
  }
  if (JSON.stringify(next.resources) === JSON.stringify(state.resources)) return undefined;
  next.serial = state.serial + 1;
  return next;
}

/** The apps the state holds, by name. */
function appsOf(state: RawState): string[] {
  const names = (state.resources ?? []).flatMap((r) =>
    r.instances.map((i) => (r.type === "fly_app" ? i.attributes.name : i.attributes.app)),
  );
  return [...new Set(names.filter((n): n is string => typeof n === "string"))].sort();
}

/** Lists what Fly holds in `apps` (three requests each). */
async function liveApps(api: MachinesApi, apps: readonly string[]): Promise<LiveApp[]> {
  return Promise.all(
    apps.map(async (app) => {
      const [info, machines, volumes] = await Promise.all([
        api.request<{ status?: string }>("GET", `/apps/${encodeURIComponent(app)}`),
        api.listMachines(app),
        api.listVolumes(app),
      ]);
      return { app, status: info.status, machines, volumes };
    }),
  );
}

/**
 * Records what the apply's steps changed (see the module comment): writes it
 * into the state (pull, patch, push), or, when that fails, runs a
 * refresh-only apply. Returns the result of what ran.
 */
export async function recordChanges(
  run: TofuRun,
  api: MachinesApi | undefined,
  log: (line: string) => void,
): Promise<TofuResult> {
  const refresh = () =>
    run(["apply", "-refresh-only", "-input=false", "-auto-approve", "-no-color"]);
  if (!api) return refresh();
  try {
    const state = await pullState(run);
    const next = recordedState(state, await liveApps(api, appsOf(state)));
    if (!next) return { status: 0, stdout: "", stderr: "" };
    const pushed = await pushState(run, next);
    if (pushed.status !== 0) throw new Error(pushed.stderr.trim());
    return pushed;
  } catch (e) {
    log(`recording from Fly's lists failed (${(e as Error).message}); refreshing instead`);
    return refresh();
  }
}
