/**
 * `./k3s.sh --restore SNAPSHOT`: restores the cluster's etcd from a k3s
 * snapshot, in k3s's documented order for several servers (k3s docs,
 * etcd-snapshot "Restoring a Snapshot", high availability): stop every
 * server; on one, `k3s server --cluster-reset --cluster-reset-restore-path=…`,
 * which restores the snapshot as a one-member cluster and exits; start it
 * normally; on each other server, remove `<data-dir>/server/db` and start it,
 * so that it joins as a new member. Then the agents are restarted.
 *
 * A machine cannot be run with other arguments through the Machines API, so
 * each server is told what to do at its next boot through a one-shot file on
 * its volume (contract/node-paths.ts; the node's table is
 * images/k3s-node/datastore.sh): the bootstrap server restores, the others
 * rejoin it. The decisions are pure (ops/restore-plan.ts); this file asks
 * and acts, one machine at a time, and says what it did to each.
 */
import { MACHINE_GONE, stateIn } from "../contract/fly-states";
import { Machine } from "../contract/machines-api-types";
import {
  ETCD_SNAPSHOT_DIR,
  JOIN_TOKEN_FILE,
  REJOIN_FILE,
  RESTORE_FAILED_FILE,
  RESTORE_FILE,
  SERVER_TOKEN_FILE,
} from "../contract/node-paths";
import { removeStaleServers } from "./bootstrap";
import { ask } from "./exec";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";
import { ETCD_READYZ_COMMAND, etcdReady, nodeList, waitNodeReady } from "./nodes";
import { poll } from "./poll";
import {
  RestorePlan,
  ServerHealth,
  describeSource,
  planLines,
  rejoinText,
  restorePlan,
  restoreSource,
  restoreText,
  snapshotProblem,
  unhealthyReasons,
} from "./restore-plan";
import {
  hasFile,
  readFileOn,
  removeFilesOn,
  restartMachine,
  startMachine,
  stopMachine,
  waitExec,
  where,
} from "./restore-machines";
import { writeFileOn } from "./exec";

export interface RestoreOptions {
  /** The control-plane app and its bootstrap server (the one the others join). */
  readonly cpApp: string;
  readonly bootstrap: string;
  /** Every node group app of the cluster: their agents are restarted at the end. */
  readonly agentApps: readonly string[];
  /** As given: a snapshot name, or the absolute path of a file on the bootstrap server. */
  readonly snapshot: string;
  /**
   * The node image runs k3s: the health check asks it, and each server and
   * agent is waited for after its start. Without k3s (the local Fly's test
   * image) only the Fly half runs, and the log says so.
   */
  readonly k3s: boolean;
  /** Restore even though every server answers healthy. */
  readonly force: boolean;
  /** Each wait (a server healthy, an agent Ready) may take this long. */
  readonly timeoutSec: number;
  /** Asked after the checks, before anything changes; false: nothing is done. */
  readonly confirm: () => Promise<boolean>;
}

/** Runs the restore (see the module comment); "declined" when `confirm` said no. */
export async function restoreCluster(
  api: MachinesApi,
  opts: RestoreOptions,
  log: Log,
): Promise<"restored" | "declined"> {
  const { cpApp, snapshot } = opts;
  const problem = snapshotProblem(snapshot);
  if (problem) throw new Error(problem);
  const plan = restorePlan(await api.listMachines(cpApp), cpApp, opts.bootstrap);
  const b = plan.bootstrap;
  const servers = [b, ...plan.others];
  await checkHealth(api, opts, servers, log);
  log(`restore of ${cpApp} from ${snapshot}, in this order:`);
  for (const line of planLines(plan, cpApp, opts.agentApps, snapshot)) log(`  ${line}`);
  if (!(await opts.confirm())) return "declined";

  // 1. Tell every server what to do at its next boot (exec needs it running).
  for (const m of servers) {
    if (m.state !== "started") {
      await startMachine(api, cpApp, m, `it was ${m.state}; exec needs a running machine`, log);
    }
    await waitExec(api, cpApp, m, opts.timeoutSec, log);
  }
  const onVolume = snapshot.startsWith("/")
    ? await hasFile(api, cpApp, b, snapshot)
    : await hasFile(api, cpApp, b, `${ETCD_SNAPSHOT_DIR}/${snapshot}`);
  if (snapshot.startsWith("/") && onVolume !== true) {
    throw new Error(
      `no snapshot file ${snapshot} on ${where(cpApp, b)}; no server was told or stopped`,
    );
  }
  const source = restoreSource(snapshot, onVolume === true);
  log(`snapshot: ${describeSource(source, b.name)}`);
  await ensureToken(api, cpApp, plan, log);
  await tell(api, cpApp, plan, restoreText(source), snapshot, log);

  // 2. Stop every server: the bootstrap server first, so it cannot restore early.
  for (const m of servers) await stopMachine(api, cpApp, m, "the restore stops every server", log);

  // 3. The bootstrap server restores, then runs as the only etcd member.
  const restores = `restores ${snapshot}, then runs as the only etcd member`;
  await startServer(api, opts, b, RESTORE_FILE, restores, log);
  if (opts.k3s) await removeStaleServers(api, cpApp, b.id, log);

  // 4. The other servers rejoin it, one at a time.
  for (const m of plan.others) {
    const rejoins = `moves its etcd data aside and joins ${b.name}`;
    await startServer(api, opts, m, REJOIN_FILE, rejoins, log);
  }

  // 5. The agents register again with the restored control plane.
  const agents = await restartAgents(api, opts, b, log);
  log(doneLine(opts, plan, agents));
  return "restored";
}

/** Refuses a cluster that answers healthy, unless forced; says what it found. */
async function checkHealth(
  api: MachinesApi,
  opts: RestoreOptions,
  servers: readonly Machine[],
  log: Log,
): Promise<void> {
  const { cpApp } = opts;
  if (!opts.k3s) {
    log(
      `health: the node image runs no k3s, so no server can answer /readyz/etcd; ` +
        `nothing to refuse`,
    );
    return;
  }
  const nodes = await nodeList(api, cpApp, opts.bootstrap);
  const asked: ServerHealth[] = [];
  for (const m of servers) {
    const readyz =
      m.state === "started" ? await ask(api, cpApp, m, ETCD_READYZ_COMMAND) : undefined;
    asked.push({ name: m.name, state: m.state, private_ip: m.private_ip, readyz });
  }
  const reasons = unhealthyReasons(nodes, asked, `${cpApp}/${opts.bootstrap}`);
  if (reasons.length > 0) {
    log(`health: the cluster does not answer healthy: ${reasons.join("; ")}`);
    return;
  }
  const names = servers.map((m) => m.name).join(", ");
  if (!opts.force) {
    throw new Error(
      `not restoring: the cluster answers healthy (${names}: Ready nodes, /readyz/etcd ok ` +
        `through each), and a restore throws away everything written since the snapshot. ` +
        `Give --force to restore anyway; nothing was changed`,
    );
  }
  log(`health: the cluster answers healthy (${names}); --force: restoring anyway`);
}

/**
 * k3s needs the cluster's original token to restore on a volume without it
 * (k3s docs: `--token` when restoring on new hosts). A server keeps it in
 * `server/token`, outside `server/db`; when the bootstrap server has none, the
 * token of another server is written to its join-token file (the node renders
 * it as `token-file`). Through exec only: never logged.
 */
async function ensureToken(
  api: MachinesApi,
  cpApp: string,
  plan: RestorePlan,
  log: Log,
): Promise<void> {
  const b = plan.bootstrap;
  if (
    (await hasFile(api, cpApp, b, SERVER_TOKEN_FILE)) ||
    (await hasFile(api, cpApp, b, JOIN_TOKEN_FILE))
  ) {
    return;
  }
  for (const m of plan.others) {
    const token = await readFileOn(api, cpApp, m, SERVER_TOKEN_FILE);
    if (!token) continue;
    await writeFileOn(api, cpApp, b, JOIN_TOKEN_FILE, token + "\n");
    log(
      `machine ${where(cpApp, b)}: no cluster token on its volume; the token of ${m.name} ` +
        `written to ${JOIN_TOKEN_FILE} (k3s needs the original token to restore)`,
    );
    return;
  }
  log(
    `no server holds the cluster token (${SERVER_TOKEN_FILE}, written by k3s when it founds ` +
      `a cluster): the restore goes on without one`,
  );
}

/**
 * Writes the one-shot instructions: rejoin on the other servers, then restore
 * on the bootstrap server (last, so it is told only once the others are), and
 * removes any contrary instruction an earlier run left. A write that fails
 * removes what was written, so no server is left half told.
 */
async function tell(
  api: MachinesApi,
  cpApp: string,
  plan: RestorePlan,
  restore: string,
  snapshot: string,
  log: Log,
): Promise<void> {
  const b = plan.bootstrap;
  const told: Machine[] = [];
  try {
    for (const m of plan.others) {
      await removeFilesOn(api, cpApp, m, [RESTORE_FILE, RESTORE_FAILED_FILE]);
      await writeFileOn(api, cpApp, m, REJOIN_FILE, rejoinText(b.name, snapshot));
      told.push(m);
      log(
        `machine ${where(cpApp, m)}: told to rejoin (${REJOIN_FILE}): at its next boot it ` +
          `moves its etcd data aside and joins ${b.name} as a new member`,
      );
    }
    await removeFilesOn(api, cpApp, b, [REJOIN_FILE, RESTORE_FAILED_FILE]);
    await writeFileOn(api, cpApp, b, RESTORE_FILE, restore);
    log(
      `machine ${where(cpApp, b)}: told to restore (${RESTORE_FILE}: ${restore.trim()}): at its ` +
        `next boot k3s restores it (cluster-reset) and runs as the only etcd member`,
    );
  } catch (e) {
    for (const m of told) {
      await removeFilesOn(api, cpApp, m, [REJOIN_FILE]).catch(() => undefined);
    }
    throw new Error(
      `telling the servers failed, so none is told and nothing was stopped: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * Starts a server and, with k3s, waits until its instruction (`file`) is done
 * (the entrypoint removes it), its node is Ready in this boot as the bootstrap
 * server sees it, and `/readyz/etcd` is ok through it.
 */
async function startServer(
  api: MachinesApi,
  opts: RestoreOptions,
  m: Machine,
  file: string,
  what: string,
  log: Log,
): Promise<void> {
  const { cpApp, timeoutSec } = opts;
  await startMachine(api, cpApp, m, what, log);
  if (!opts.k3s) {
    // Left there, the instruction would act at the first boot of a later k3s image.
    await waitExec(api, cpApp, m, timeoutSec, log);
    await removeFilesOn(api, cpApp, m, [file]);
    log(
      `machine ${where(cpApp, m)}: the node image runs no k3s, so nothing follows ${file} or ` +
        `becomes healthy: not waiting; the instruction is removed again (a later image with k3s ` +
        `would follow it at its first boot)`,
    );
    return;
  }
  const bootId = await waitExec(api, cpApp, m, timeoutSec, log);
  await poll(
    `${cpApp}/${m.name} to follow ${file}`,
    timeoutSec,
    async () => {
      if (await hasFile(api, cpApp, m, RESTORE_FAILED_FILE)) {
        throw new Error(
          `${where(cpApp, m)}: k3s could not restore ${opts.snapshot} (its log says why; ` +
            `${RESTORE_FAILED_FILE} keeps the instruction). The other servers are stopped and ` +
            `still told to rejoin: fix the cause, then run ./k3s.sh --restore again`,
        );
      }
      return (await hasFile(api, cpApp, m, file)) === false ? true : undefined;
    },
    log,
  );
  await waitNodeReady(api, cpApp, opts.bootstrap, cpApp, m.id, log, timeoutSec, bootId);
  await poll(
    `etcd to report healthy through ${cpApp}/${m.name}`,
    timeoutSec,
    async () => {
      const r = await api.exec(cpApp, m.id, ETCD_READYZ_COMMAND).catch(() => undefined);
      return r && r.exit_code === 0 && etcdReady(r.stdout) ? true : undefined;
    },
    log,
  );
  log(`machine ${where(cpApp, m)}: etcd healthy`);
}

/** Restarts every agent of the node groups, one at a time; with k3s, each until Ready. */
async function restartAgents(
  api: MachinesApi,
  opts: RestoreOptions,
  b: Machine,
  log: Log,
): Promise<number> {
  let count = 0;
  for (const app of opts.agentApps) {
    const agents = (await api.listMachines(app))
      .filter((m) => !stateIn(MACHINE_GONE, m.state))
      .sort((x, y) => x.name.localeCompare(y.name));
    if (agents.length === 0) log(`app ${app}: no agent machine`);
    for (const m of agents) {
      await restartMachine(api, app, m, `registers again with the restored ${b.name}`, log);
      count += 1;
      if (!opts.k3s) continue;
      const bootId = await waitExec(api, app, m, opts.timeoutSec, log);
      await waitNodeReady(api, opts.cpApp, b.id, app, m.id, log, opts.timeoutSec, bootId);
    }
  }
  if (!opts.k3s && opts.agentApps.length > 0) {
    log("agents: the node image runs no k3s, so none registers: not waiting for Ready nodes");
  }
  return count;
}

/** The restore's last line: what it did, and with no k3s, that nothing was restored. */
function doneLine(opts: RestoreOptions, plan: RestorePlan, agents: number): string {
  const b = plan.bootstrap.name;
  const others = plan.others.map((m) => m.name).join(", ");
  const head = `restore of ${opts.cpApp} from ${opts.snapshot}`;
  const restarted = `${agents} agent(s) restarted`;
  if (opts.k3s) {
    return (
      `${head}: done: ${b} restored it and runs as the only etcd member` +
      (others ? `; ${others} rejoined it` : "") +
      `; ${restarted}`
    );
  }
  return (
    `${head}: Fly half done: ${b} told to restore` +
    (others ? `, ${others} to rejoin` : "") +
    `; every server stopped, then started in that order; ${restarted}. Nothing was restored: ` +
    `the node image runs no k3s`
  );
}
