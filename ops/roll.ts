/**
 * The roll: applies a machine's declared config under a proper lease
 * (`rollMachine`) and, for a node of a cluster running k3s, safely
 * (`rollNode`): a server is restarted only when every other server is healthy,
 * and the roll waits until the node is back before the next one starts. The
 * decisions are pure (ops/roll-precheck.ts); this file asks and acts.
 */
import { controlPlaneAppName } from "../config/naming";
import { MACHINE_DOWN, stateIn } from "../contract/fly-states";
import { ROLLED_CONFIG_FIELDS, configMatches } from "../contract/machine-config";
import { Machine, MachineConfig } from "../contract/machines-api-types";
import { drainForRoll, stillCordoned, uncordonAfterRoll } from "./drain";
import { ask } from "./exec";
import { acquireLeaseWhenFree } from "./lease";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";
import {
  ETCD_DATA_COMMAND,
  ETCD_READYZ_COMMAND,
  NodeList,
  etcdReady,
  nodeList,
  nodeWithIp,
  waitNodeReady,
} from "./nodes";
import { poll } from "./poll";
import {
  OtherServer,
  RollFacts,
  countsForQuorum,
  rollPrecheck,
  servedBefore,
} from "./roll-precheck";

/**
 * Applies the managed fields of `desired` to a machine under a lease whose
 * nonce goes with every mutation (the Terraform provider takes a lease and then
 * omits the nonce, which Fly refuses), and starts it if it is not running (the
 * provider does not notice a machine that stopped). No-op when nothing changed.
 * A machine that does not run (`created`: never started, the stack creates
 * machines with skip_launch; or stopped) starts exactly once, with its final
 * config: the update keeps it down (skip_launch), then one start.
 */
export async function rollMachine(
  api: MachinesApi,
  app: string,
  idOrName: string,
  desired: MachineConfig,
  log: Log,
): Promise<"unchanged" | "updated" | "started"> {
  const machine = await api.findMachine(app, idOrName);
  const matches = configMatches(machine.config, desired);
  const stopped = neverRan(machine) || stateIn(MACHINE_DOWN, machine.state);
  if (matches && !stopped) {
    log(`machine ${app}/${machine.name}: config up to date`);
    return "unchanged";
  }
  const lease = await acquireLeaseWhenFree(api, app, machine, 120, "fly-k3s config roll", log);
  try {
    if (matches) {
      log(`machine ${app}/${machine.name}: ${machine.state}, starting it`);
      await api.startMachine(app, machine.id, lease);
      await api.waitForState(app, machine.id, "started", 300);
    } else {
      const next: MachineConfig = { ...machine.config };
      for (const f of ROLLED_CONFIG_FIELDS) {
        if (desired[f] !== undefined) (next as Record<string, unknown>)[f] = desired[f];
      }
      log(
        `machine ${app}/${machine.name}: ` +
          (stopped
            ? `${machine.state}: updating its config, then starting it`
            : `updating config (restarts the machine)`),
      );
      const updated = await api.updateMachine(app, machine.id, next, lease, stopped);
      if (stopped) await api.startMachine(app, machine.id, lease);
      await api.waitForState(app, machine.id, "started", 300, updated.instance_id);
    }
  } finally {
    await api.releaseLease(app, machine.id, lease).catch((e: Error) => {
      log(
        `machine ${app}/${machine.name}: lease release failed (${e.message}); it expires by itself`,
      );
    });
  }
  log(`machine ${app}/${machine.name}: ${matches ? "started" : "updated"}`);
  return matches ? "started" : "updated";
}

/** A machine Fly created and never started (the stack creates them with skip_launch). */
function neverRan(m: Machine): boolean {
  return m.state === "created";
}

/** Where a node's kernel reports this boot's id (the kubelet reports the same as nodeInfo.bootID). */
export const BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";

/** What `rollNode` checks before it restarts a machine and waits for after. */
export interface RollReadiness {
  /** Control-plane app and the server whose view of the nodes counts. */
  readonly cpApp: string;
  readonly bootstrap: string;
  /**
   * A server: before restarting it, every other server must be healthy; after,
   * wait until its API server reports etcd healthy (quorum reads work).
   */
  readonly etcd: boolean;
  readonly timeoutSec: number;
}

/** Asks every other server machine of the control plane what `rollPrecheck` needs. */
async function askOtherServers(
  api: MachinesApi,
  cpApp: string,
  self: Machine,
  nodes: NodeList | undefined,
): Promise<OtherServer[]> {
  const machines = (await api.listMachines(cpApp)).filter((m) => m.state !== "destroyed");
  const others: OtherServer[] = [];
  // One machine after the other: a handful of servers, in a predictable order.
  for (const m of machines.filter((x) => x.id !== self.id)) {
    const known = nodes !== undefined && nodeWithIp(nodes, m.private_ip) !== undefined;
    const base: OtherServer = {
      name: m.name,
      state: m.state,
      private_ip: m.private_ip,
      etcdData:
        !known && m.state !== "created" ? await ask(api, cpApp, m, ETCD_DATA_COMMAND) : undefined,
    };
    const readyz = countsForQuorum(base, nodes)
      ? await ask(api, cpApp, m, ETCD_READYZ_COMMAND)
      : undefined;
    others.push({ ...base, readyz });
  }
  return others;
}

/** `clusters/<name>` for a control-plane app, as `./k3s.sh` takes it. */
function clusterDir(cpApp: string): string {
  const cluster = cpApp.replace(/-cp$/, "");
  return controlPlaneAppName(cluster) === cpApp ? `clusters/${cluster}` : "clusters/<name>";
}

/**
 * Rolls one machine (`rollMachine`) safely. With `readiness`:
 * - Before restarting a running server that served (`servedBefore`), it
 *   requires every other server machine of the control plane to be a Ready
 *   node and healthy by `/readyz/etcd` through it (`rollPrecheck`). Anything
 *   it cannot tell stops the roll: restarting a server while another is down
 *   would cost etcd its quorum. Starting a stopped server takes no member
 *   away, so it is not checked; whether it served is asked once it runs.
 * - After restarting a machine that served, it waits until the node is Ready
 *   again in its new boot and, on a server, until etcd reports healthy
 *   through it; a timeout stops the roll. A brand-new machine is not waited
 *   for (its join step does that). Agents: a node list that cannot be
 *   fetched means no wait, and the log says so.
 * - An agent that is a Ready node is cordoned and drained before a config
 *   change restarts it, and uncordoned once Ready again (ops/drain.ts).
 * The stack chains the roll steps of an app, so a node that does not come
 * back stops the roll there: the nodes not yet rolled keep running their
 * previous config, and with three servers etcd keeps its quorum, so the
 * cluster keeps serving.
 */
export async function rollNode(
  api: MachinesApi,
  app: string,
  idOrName: string,
  desired: MachineConfig,
  log: Log,
  readiness?: RollReadiness,
): Promise<"unchanged" | "updated" | "started"> {
  if (!readiness) return rollMachine(api, app, idOrName, desired, log);
  const before = await api.findMachine(app, idOrName);
  // Its first start: nothing to drain, check or wait for (its join step waits).
  if (neverRan(before)) return rollMachine(api, app, idOrName, desired, log);
  const changes = !configMatches(before.config, desired);
  const stopped = stateIn(MACHINE_DOWN, before.state);
  // Nothing to restart: rollMachine only reports that.
  if (!changes && !stopped) return rollMachine(api, app, idOrName, desired, log);

  const { cpApp, bootstrap, etcd: server, timeoutSec } = readiness;
  const where = `${app}/${before.name}`;
  const nodes = await nodeList(api, cpApp, bootstrap);
  // A server that no node has the address of is asked whether its volume
  // holds etcd data; a stopped one only once the roll has started it.
  const askSelf =
    server && !(nodes && nodeWithIp(nodes, before.private_ip)) && before.state !== "created";
  const facts: RollFacts = {
    server,
    machine: before,
    nodes,
    etcdData: askSelf && !stopped ? await ask(api, app, before, ETCD_DATA_COMMAND) : undefined,
  };
  if (!server && !nodes) {
    log(
      `machine ${where}: cannot tell whether it was a Ready node (no node list from ` +
        `${cpApp}/${bootstrap}), so the roll does not wait for it; a worker's restart ` +
        `does not touch etcd`,
    );
  }

  // Restarting a running server is what can cost etcd its quorum; starting a
  // stopped one cannot.
  if (server && !stopped && servedBefore(facts)) {
    const others = await askOtherServers(api, cpApp, before, nodes).catch((e: Error) => {
      throw refuse(where, cpApp, [`the servers of ${cpApp} could not be listed (${e.message})`]);
    });
    const reasons = rollPrecheck(nodes, others, `${cpApp}/${bootstrap}`);
    if (reasons.length > 0) throw refuse(where, cpApp, reasons);
    const counted = others.filter((o) => o.readyz !== undefined).map((o) => o.name);
    log(
      `machine ${where}: other servers healthy (${counted.join(", ") || "none joined yet"}); ` +
        `restarting this one`,
    );
  }

  // An agent that serves is drained before a config change restarts it (ops/drain.ts).
  const drained =
    !server && changes && !stopped
      ? await drainForRoll(api, readiness, app, before, nodes, log)
      : undefined;
  const result = await rollMachine(api, app, idOrName, desired, log);
  if (result === "unchanged") return result;
  const machine = await api.findMachine(app, idOrName);
  const served = servedBefore(
    askSelf && stopped
      ? { ...facts, etcdData: await ask(api, app, machine, ETCD_DATA_COMMAND) }
      : facts,
  );
  if (!served) {
    log(
      `machine ${app}/${machine.name}: ` +
        (server
          ? `brand new (never booted, or no node and no etcd data on its volume)`
          : `was not a Ready node before the roll (new or not joined yet)`) +
        `, so the roll does not wait for it; its join step does`,
    );
    return result;
  }
  const stop = (why: string) =>
    new Error(
      `roll stopped at ${app}/${machine.name}: ${why}. The machines not rolled yet keep their ` +
        `previous config, so the cluster keeps serving; look at this machine's log, fix the ` +
        `cause (a bad image or config: revert it), then deploy again`,
    );
  try {
    const bootId = await poll(
      `${app}/${machine.name} to answer exec after its restart`,
      timeoutSec,
      async () => {
        const r = await api.exec(app, machine.id, ["cat", BOOT_ID_FILE]).catch(() => undefined);
        return r && r.exit_code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
      },
      log,
    );
    await waitNodeReady(api, cpApp, bootstrap, app, machine.id, log, timeoutSec, bootId);
    if (server) {
      await poll(
        `etcd to report healthy through ${app}/${machine.name}`,
        timeoutSec,
        async () => {
          const r = await api.exec(app, machine.id, ETCD_READYZ_COMMAND).catch(() => undefined);
          return r && r.exit_code === 0 && etcdReady(r.stdout) ? true : undefined;
        },
        log,
      );
      log(`machine ${app}/${machine.name}: etcd healthy`);
    }
    if (drained) await uncordonAfterRoll(api, readiness, drained, log);
  } catch (e) {
    throw stop((e as Error).message + stillCordoned(drained));
  }
  return result;
}

/**
 * The roll step (bin/fly-machines roll): `rollNode`, except that outside the
 * deploy's turns (`inTurn` false: ROLLS_IN_TURNS_ENV unset, e.g. a bare `tofu
 * apply`) it refuses to change the config of a machine that has run, since
 * nothing then orders the restarts. A machine's first start, and a stopped
 * machine started as it is, need no turn.
 */
export async function rollStep(
  api: MachinesApi,
  app: string,
  idOrName: string,
  desired: MachineConfig,
  log: Log,
  readiness: RollReadiness | undefined,
  inTurn: boolean,
): Promise<"unchanged" | "updated" | "started"> {
  if (!inTurn) {
    const m = await api.findMachine(app, idOrName);
    if (!neverRan(m) && !configMatches(m.config, desired)) {
      throw new Error(
        `roll not started at ${app}/${m.name}: it has run, and changing its config restarts ` +
          `it; such rolls take turns (one server at a time, then the workers), which only the ` +
          `deploy gives: run ./k3s.sh -c ${clusterDir(readiness?.cpApp ?? app)} or npm run ` +
          `cdktf -- deploy, not tofu apply alone`,
      );
    }
  }
  return rollNode(api, app, idOrName, desired, log, readiness);
}

/** The error that stops a server's roll before its restart. */
function refuse(where: string, cpApp: string, reasons: readonly string[]): Error {
  return new Error(
    `roll not started at ${where}: cannot confirm that every other server is healthy: ` +
      `${reasons.join("; ")}. Restarting this server now could cost etcd its quorum. ` +
      `Look at the servers (./k3s.sh --status ${clusterDir(cpApp)}), bring the one(s) named ` +
      `back (Ready, and ok from k3s kubectl get --raw /readyz/etcd on it), then deploy again`,
  );
}
