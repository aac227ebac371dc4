/**
 * etcd snapshots through the bootstrap server's k3s, over the Machines API
 * exec: take one now (`takeEtcdSnapshot`: `./k3s.sh --snapshot`, and the
 * deploy before it rolls a new K3S_VERSION) and list them
 * (`listEtcdSnapshots`: `./k3s.sh --snapshots`). What k3s does is left to
 * k3s; this file sends the argv and reads the answer with pure parsers tested
 * on the documented output forms.
 *
 * - `k3s etcd-snapshot save` reads the server's /etc/rancher/k3s/config.yaml
 *   itself: k3s's config reader applies the file to `etcd-snapshot`
 *   subcommands too, keeping only the keys the subcommand knows and warning
 *   ("Unknown flag … found in config.yaml, skipping") about the others
 *   (k3s-io/k3s pkg/configfilearg/defaultparser.go: `After: "etcd-snapshot:1"`,
 *   `ValidFlags: cmds.EtcdSnapshotFlags`; parser.go `stripInvalidFlags`). Its
 *   flags accept the server's names (`etcd-s3`, `etcd-s3-bucket`, …, next to
 *   `--s3`, `--s3-bucket`: pkg/cli/cmds/etcd_snapshot.go), so the rendered
 *   data-dir and etcd-s3-* settings, keys included, apply without being
 *   repeated on the command line. `--name` sets the base name; k3s appends the
 *   node name and a Unix timestamp and logs "Snapshot <name> saved." for the
 *   local file and again for its S3 copy (k3s-io/docs docs/cli/etcd-snapshot.md).
 * - The list is `k3s kubectl get etcdsnapshotfiles.k3s.cattle.io -o json`, not
 *   `k3s etcd-snapshot ls`: the ETCDSnapshotFile resources (k3s ≥ v1.28.4,
 *   below the project's floor) cover every server's local snapshots and the S3
 *   ones cluster-wide, in a versioned API (k3s pkg/apis/k3s.cattle.io/v1
 *   types.go: spec.snapshotName, nodeName, location, s3; status.size,
 *   creationTime, readyToUse, error), where `ls` shows what one node sees in a
 *   text form that changed between releases.
 */
import { Log } from "./log";
import { MachinesApi, showArgv } from "./machines-api";

/** An on-demand snapshot waits for the S3 upload: k3s's etcd-s3-timeout is 5 minutes. */
export const SNAPSHOT_SAVE_TIMEOUT_SEC = 360;
export const SNAPSHOT_LIST_TIMEOUT_SEC = 60;

/** `k3s etcd-snapshot save`, with a base name when given (k3s's default: on-demand). Pure. */
export function snapshotSaveCommand(name?: string): string[] {
  return ["k3s", "etcd-snapshot", "save", ...(name === undefined ? [] : ["--name", name])];
}

export const SNAPSHOT_LIST_COMMAND: readonly string[] = [
  "k3s",
  "kubectl",
  "get",
  "etcdsnapshotfiles.k3s.cattle.io",
  "-o",
  "json",
];

/**
 * The base name of the snapshot the deploy takes before rolling `version`:
 * `pre-upgrade-v1.37.0-k3s1` (a `+` is no file or resource name character).
 * Pure.
 */
export function preUpgradeSnapshotName(version: string): string {
  return `pre-upgrade-${version.replace(/[^A-Za-z0-9.-]/g, "-")}`;
}

/** The names k3s logged as saved ("Snapshot <name> saved."), each once, in order. Pure. */
export function savedSnapshotNames(output: string): string[] {
  const names = [...output.matchAll(/Snapshot (\S+?) saved\b/g)].map((m) => m[1]);
  return [...new Set(names)];
}

/**
 * The lines of a k3s command's stderr worth showing: without the config
 * reader's warnings about server keys the subcommand does not take. Pure.
 */
export function k3sErrorText(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/Unknown flag \S+ found in config\.yaml, skipping/.test(l));
  return lines.slice(-3).join(" / ") || "no output";
}

/** One snapshot, as `--snapshots` shows it. */
export interface SnapshotRow {
  /** The snapshot's file name (what a restore takes). */
  readonly name: string;
  /** RFC 3339, when etcd took it; "" when k3s recorded none. */
  readonly time: string;
  /** Bytes; undefined when k3s recorded none (a failed snapshot). */
  readonly sizeBytes?: number;
  /** `s3` or `local`. */
  readonly storage: "s3" | "local";
  /** The node that took it (local: the node holding the file). */
  readonly node: string;
  /** `file:///…` or `s3://bucket/folder/name`. */
  readonly location: string;
  /** Whether k3s marks it ready to restore. */
  readonly ready: boolean;
  /** k3s's error, for a failed one. */
  readonly error?: string;
}

const QUANTITY_SUFFIX: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * A Kubernetes resource.Quantity as JSON carries it ("2891808", "5M", "1Gi",
 * "12e6"), in units; undefined for anything else. Pure.
 */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)(?:(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[3] !== undefined ? 10 ** Number(m[3]) : QUANTITY_SUFFIX[m[2] ?? ""]);
  return Math.round(n);
}

interface SnapshotFileJson {
  readonly metadata?: { readonly name?: string };
  readonly spec?: {
    readonly snapshotName?: string;
    readonly nodeName?: string;
    readonly location?: string;
    readonly s3?: Record<string, unknown> | null;
  };
  readonly status?: {
    readonly size?: unknown;
    readonly creationTime?: string;
    readonly readyToUse?: boolean;
    readonly error?: { readonly time?: string; readonly message?: string } | null;
  };
}

/**
 * The snapshots of `kubectl get etcdsnapshotfiles.k3s.cattle.io -o json`,
 * newest first (then by name, S3 before local). Throws on an answer that is
 * not such a list. Pure.
 */
export function parseSnapshotList(stdout: string): SnapshotRow[] {
  let doc: { items?: unknown };
  try {
    doc = JSON.parse(stdout) as { items?: unknown };
  } catch {
    throw new Error(`the snapshot list is not JSON: ${stdout.trim().slice(0, 200) || "empty"}`);
  }
  if (!Array.isArray(doc.items)) throw new Error("the snapshot list has no items");
  const rows = (doc.items as SnapshotFileJson[]).map((f): SnapshotRow => {
    const spec = f.spec ?? {};
    const status = f.status ?? {};
    const error = status.error?.message;
    return {
      name: spec.snapshotName ?? f.metadata?.name ?? "?",
      time: status.creationTime ?? status.error?.time ?? "",
      ...(parseQuantity(status.size) === undefined
        ? {}
        : { sizeBytes: parseQuantity(status.size) }),
      storage: spec.s3 ? "s3" : "local",
      node: spec.nodeName ?? "",
      location: spec.location ?? "",
      ready: status.readyToUse === true,
      ...(error ? { error } : {}),
    };
  });
  return rows.sort(
    (a, b) =>
      b.time.localeCompare(a.time) ||
      a.name.localeCompare(b.name) ||
      b.storage.localeCompare(a.storage),
  );
}

/** Runs a k3s command on the bootstrap server; answers stdout and stderr, or throws with k3s's error. */
async function onBootstrap(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  command: readonly string[],
  timeoutSec: number,
): Promise<{ stdout: string; stderr: string }> {
  const server = await api.findMachine(cpApp, bootstrap);
  if (server.state !== "started") {
    throw new Error(`${cpApp}/${server.name} is ${server.state}, not started: k3s cannot answer`);
  }
  const r = await api.exec(cpApp, server.id, command, { timeoutSec });
  if (r.exit_code !== 0) {
    throw new Error(
      `${cpApp}/${server.name}: \`${showArgv(command)}\` exited ${r.exit_code}: ${k3sErrorText(r.stderr || r.stdout)}`,
    );
  }
  return { stdout: r.stdout, stderr: r.stderr };
}

/** Every etcd snapshot the cluster records, through the bootstrap server. */
export async function listEtcdSnapshots(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
): Promise<SnapshotRow[]> {
  const r = await onBootstrap(
    api,
    cpApp,
    bootstrap,
    SNAPSHOT_LIST_COMMAND,
    SNAPSHOT_LIST_TIMEOUT_SEC,
  );
  return parseSnapshotList(r.stdout);
}

/** What `takeEtcdSnapshot` did. */
export interface TakenSnapshot {
  /** The names k3s logged as saved (empty when its log named none). */
  readonly names: readonly string[];
  /** Their records (local file, S3 copy), when the list could be read afterwards. */
  readonly rows: readonly SnapshotRow[];
  /** Why the list could not be read afterwards, if so. */
  readonly listError?: string;
}

/**
 * Takes an etcd snapshot now on the bootstrap server (`name`: its base name),
 * then reads where it went. Throws when k3s does not report success: the
 * caller must not go on as if a snapshot existed.
 */
export async function takeEtcdSnapshot(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  log: Log,
  name?: string,
): Promise<TakenSnapshot> {
  const command = snapshotSaveCommand(name);
  log(`${cpApp}/${bootstrap}: ${showArgv(command)}`);
  const r = await onBootstrap(api, cpApp, bootstrap, command, SNAPSHOT_SAVE_TIMEOUT_SEC);
  const names = savedSnapshotNames(`${r.stderr}\n${r.stdout}`);
  try {
    const all = await listEtcdSnapshots(api, cpApp, bootstrap);
    return { names, rows: all.filter((row) => names.includes(row.name)) };
  } catch (e) {
    return { names, rows: [], listError: (e as Error).message };
  }
}

/** Where a snapshot is, in words: `s3://…` or `local on <node>`. Pure. */
export function whereText(row: SnapshotRow): string {
  return row.storage === "s3" ? row.location || "s3" : `local on ${row.node || "?"}`;
}

/** The lines saying what `takeEtcdSnapshot` did. Pure. */
export function takenLines(t: TakenSnapshot, s3Expected: boolean): string[] {
  if (t.names.length === 0) {
    return [
      "k3s reported success but named no snapshot in its output; ./k3s.sh --snapshots lists them",
    ];
  }
  const lines = t.names.map((n) => {
    const rows = t.rows.filter((r) => r.name === n);
    const where = rows.map(
      (r) => `${whereText(r)}${r.ready ? "" : ` (not ready: ${r.error ?? "?"})`}`,
    );
    return `snapshot ${n} saved${where.length > 0 ? `: ${where.join("; ")}` : ""}`;
  });
  if (t.listError) lines.push(`(where it went could not be read: ${t.listError})`);
  const inS3 = t.rows.some((r) => r.storage === "s3" && r.ready);
  if (s3Expected && !t.listError && !inS3) {
    lines.push(
      "warning: no S3 copy of it is recorded; the server's log says why (its keys: see README, Etcd snapshots)",
    );
  }
  return lines;
}
