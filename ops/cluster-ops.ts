/**
 * Cluster operations the Terraform provisioners run through the Machines API:
 * switch volume snapshots off, roll machine config under a proper lease, move
 * the join token node to node, wait for nodes, taint, fetch the kubeconfig.
 * No secret passes through an argument, an environment variable or a log line.
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument, stringify } from "yaml";
import { Machine, MachineConfig, MachinesApi } from "./machines-api";
import { ADMIN_KUBECONFIG, JOIN_TOKEN_FILE, SERVER_TOKEN_FILE } from "./node-paths";

export type Log = (line: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every `intervalMs` until it returns a value, or fails after `timeoutSec`. */
export async function poll<T>(
  what: string,
  timeoutSec: number,
  probe: () => Promise<T | undefined>,
  log: Log,
  intervalMs = 3000,
): Promise<T> {
  const start = Date.now();
  let lastReport = start;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const elapsed = (Date.now() - start) / 1000;
    if (elapsed >= timeoutSec) {
      throw new Error(`timed out after ${timeoutSec}s waiting for ${what}`);
    }
    if (Date.now() - lastReport >= 15000) {
      log(`still waiting for ${what} (${Math.round(elapsed)}s)`);
      lastReport = Date.now();
    }
    await sleep(intervalMs);
  }
}

/** Turns scheduled snapshots off: Fly's create call cannot (the provider never sends the flag). */
export async function disableScheduledSnapshots(
  api: MachinesApi,
  app: string,
  volumeId: string,
  log: Log,
): Promise<void> {
  const v = await api.getVolume(app, volumeId);
  if (!v.auto_backup_enabled) {
    log(`volume ${app}/${volumeId}: scheduled snapshots already off`);
    return;
  }
  await api.updateVolume(app, volumeId, { auto_backup_enabled: false });
  log(`volume ${app}/${volumeId}: scheduled snapshots switched off`);
}

/** Fields of the machine config that the stack manages and `rollMachine` keeps in step. */
export const MANAGED_CONFIG_FIELDS = ["image", "env", "metadata", "guest"] as const;

/** True when `current` already has every managed field of `desired`. Pure. */
export function configMatches(current: MachineConfig, desired: MachineConfig): boolean {
  return MANAGED_CONFIG_FIELDS.every((f) => {
    if (desired[f] === undefined) return true;
    return JSON.stringify(sortKeys(current[f])) === JSON.stringify(sortKeys(desired[f]));
  });
}

function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, x]) => [k, sortKeys(x)]),
  );
}

/** States from which `rollMachine` starts a machine that should be running. */
const RESTARTABLE = ["stopped", "suspended", "failed"];

/**
 * Applies the managed fields of `desired` to a machine under a lease whose
 * nonce goes with every mutation (the Terraform provider takes a lease and then
 * omits the nonce, which Fly refuses), and starts it if it is not running (the
 * provider does not notice a machine that stopped). No-op when nothing changed.
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
  const stopped = RESTARTABLE.includes(machine.state);
  if (matches && !stopped) {
    log(`machine ${app}/${machine.name}: config up to date`);
    return "unchanged";
  }
  const lease = await api.acquireLease(app, machine.id, 120, "fly-k3s config roll");
  try {
    if (matches) {
      log(`machine ${app}/${machine.name}: ${machine.state}, starting it`);
      await api.startMachine(app, machine.id, lease);
      await api.waitForState(app, machine.id, "started", 300);
    } else {
      const next: MachineConfig = { ...machine.config };
      for (const f of MANAGED_CONFIG_FIELDS) {
        if (desired[f] !== undefined) (next as Record<string, unknown>)[f] = desired[f];
      }
      log(`machine ${app}/${machine.name}: updating config (restarts the machine)`);
      const updated = await api.updateMachine(app, machine.id, next, lease);
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

/** Runs a command and returns its stdout, failing with its stderr on a non-zero exit. */
async function run(api: MachinesApi, m: Machine, app: string, cmd: string, stdin?: string) {
  const r = await api.exec(app, m.id, cmd, { stdin });
  if (r.exit_code !== 0) {
    throw new Error(`${app}/${m.name}: \`${cmd}\` exited ${r.exit_code}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/**
 * Reads the cluster token from the bootstrap server and writes it onto a
 * joining node (mode 0600, on its volume), where the node's entrypoint picks
 * it up. The token travels in exec stdin/stdout only.
 */
export async function joinNode(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  app: string,
  node: string,
  log: Log,
  timeoutSec = 600,
): Promise<void> {
  const server = await api.findMachine(cpApp, bootstrap);
  const target = await api.findMachine(app, node);
  const token = await poll(
    `the cluster token on ${cpApp}/${server.name}`,
    timeoutSec,
    async () => {
      const r = await api.exec(cpApp, server.id, `cat ${SERVER_TOKEN_FILE}`).catch(() => undefined);
      const t = r && r.exit_code === 0 ? r.stdout.trim() : "";
      return t ? t : undefined;
    },
    log,
  );
  const tmp = `${JOIN_TOKEN_FILE}.tmp`;
  await run(
    api,
    target,
    app,
    `sh -c 'umask 077 && cat > ${tmp} && mv ${tmp} ${JOIN_TOKEN_FILE}'`,
    token + "\n",
  );
  log(`machine ${app}/${target.name}: join token written`);
}

/**
 * The join step: writes the token onto `node`, then waits until the bootstrap
 * server sees it as a Ready node. The stack taints the control plane and lets
 * workers join only after every such step.
 */
export async function joinAndWaitReady(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  app: string,
  node: string,
  log: Log,
  timeoutSec = 600,
): Promise<string> {
  await joinNode(api, cpApp, bootstrap, app, node, log, timeoutSec);
  return waitNodeReady(api, cpApp, bootstrap, app, node, log, timeoutSec);
}

interface NodeList {
  items: {
    metadata: { name: string };
    status: {
      addresses?: { type: string; address: string }[];
      conditions?: { type: string; status: string }[];
    };
  }[];
}

/** Name of the Ready node whose first InternalIP is `ip`, if any. Pure. */
export function readyNodeWithIp(nodes: NodeList, ip: string): string | undefined {
  const node = nodes.items.find(
    (n) => n.status.addresses?.find((a) => a.type === "InternalIP")?.address === ip,
  );
  const ready = node?.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  return ready ? node?.metadata.name : undefined;
}

/** Waits until the node running on machine `node` of `app` is Ready, as the bootstrap server sees it. */
export async function waitNodeReady(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  app: string,
  node: string,
  log: Log,
  timeoutSec = 600,
): Promise<string> {
  const server = await api.findMachine(cpApp, bootstrap);
  const target = await api.findMachine(app, node);
  const name = await poll(
    `${app}/${target.name} (${target.private_ip}) to be a Ready node`,
    timeoutSec,
    async () => {
      const r = await api
        .exec(cpApp, server.id, "k3s kubectl get nodes -o json")
        .catch(() => undefined);
      if (!r || r.exit_code !== 0) return undefined;
      return readyNodeWithIp(JSON.parse(r.stdout) as NodeList, target.private_ip);
    },
    log,
  );
  log(`machine ${app}/${target.name}: node ${name} is Ready`);
  return name;
}

export const CONTROL_PLANE_TAINT = "CriticalAddonsOnly=true:NoExecute";

/** Taints every control-plane node so that only critical add-ons run there. */
export async function taintControlPlane(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  log: Log,
): Promise<void> {
  const server = await api.findMachine(cpApp, bootstrap);
  await run(
    api,
    server,
    cpApp,
    `k3s kubectl taint nodes -l node-role.kubernetes.io/control-plane=true ${CONTROL_PLANE_TAINT} --overwrite`,
  );
  log(`control plane tainted ${CONTROL_PLANE_TAINT}`);
}

/**
 * Rewrites k3s's admin kubeconfig for use from outside: the server becomes
 * `server`, and cluster, user and context are named `name`. Pure.
 */
export function rewriteKubeconfig(text: string, name: string, server: string): string {
  const doc = parseDocument(text);
  const cfg = doc.toJS() as {
    clusters?: { name: string; cluster: Record<string, unknown> }[];
    users?: { name: string; user: Record<string, unknown> }[];
    contexts?: { name: string; context: Record<string, unknown> }[];
  };
  const cluster = cfg.clusters?.[0];
  const user = cfg.users?.[0];
  if (!cluster || !user) throw new Error("kubeconfig from the server has no cluster or user");
  const out = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{ name, cluster: { ...cluster.cluster, server } }],
    users: [{ name, user: user.user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
  };
  return stringify(out);
}

/** Writes a file readable only by its owner, atomically (rename over the old one). */
export function writePrivateFileAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** Fetches the admin kubeconfig from a server and writes it to `out` (0600). */
export async function fetchKubeconfig(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  name: string,
  server: string,
  out: string,
  log: Log,
): Promise<void> {
  const m = await api.findMachine(cpApp, bootstrap);
  const raw = await run(api, m, cpApp, `cat ${ADMIN_KUBECONFIG}`);
  writePrivateFileAtomic(out, rewriteKubeconfig(raw, name, server));
  log(`kubeconfig written to ${out} (server ${server})`);
}
