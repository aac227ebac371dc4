/**
 * The S3 credentials of the etcd snapshots, from the operator's environment
 * to each server's volume, the way the join token travels (ops/join.ts):
 * through the Machines API exec, as stdin, written with `umask 077` to a
 * temporary file and renamed over S3_CREDENTIALS_FILE (contract/node-paths.ts).
 * They are read from the environment when the deploy runs and go nowhere
 * else: not into a machine's env, the synthesized stack, the Terraform state,
 * a trigger or a log line (not even as a hash: only the node answers a digest,
 * to be compared here).
 *
 * The deploy (ops/deploy.ts) syncs them before its apply, so that a server the
 * apply restarts boots with them, and after it, for the servers it created.
 * A new server gets them earlier still: the bootstrap and join steps write
 * them before its decision or join token (`s3CredentialsBeforeFirstStart`),
 * which its k3s waits for, so its first start already renders them.
 * Which machines: servers (env K3S_ROLE=server) whose env names a bucket
 * (K3S_SNAPSHOT_S3_BUCKET, config SNAPSHOT_S3_BUCKET). A server whose file
 * already holds the same keys is not written again. k3s reads its config at
 * start (render-config.sh renders the keys into config.yaml and records their
 * digest), so a server whose k3s started with other keys, or none, is named:
 * it picks the new ones up at its next restart.
 */
import { createHash } from "crypto";
import { imageRunsK3s } from "../config/naming";
import { Machine } from "../contract/machines-api-types";
import { S3_CREDENTIALS_FILE, S3_CREDENTIALS_RENDERED_FILE } from "../contract/node-paths";
import { Declared } from "./declared";
import { execOrFail, writeFileCommand, writeFileOn } from "./exec";
import { Log } from "./log";
import { MachinesApi, MachinesApiError } from "./machines-api";

/** The operator's environment variables that hold the keys (contract/environment.ts). */
export const S3_ACCESS_KEY_ID_ENV = "SNAPSHOT_S3_ACCESS_KEY_ID";
export const S3_SECRET_ACCESS_KEY_ENV = "SNAPSHOT_S3_SECRET_ACCESS_KEY";

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** S3 keys are printable ASCII without spaces; anything else would break the file's lines. */
const KEY = /^[\x21-\x7e]+$/;

/**
 * The keys from the environment, or undefined when neither is set; throws
 * (naming the variables, never their values) when only one is set or one is
 * not a key. Pure.
 */
export function s3CredentialsFromEnv(env: NodeJS.ProcessEnv): S3Credentials | undefined {
  const id = env.SNAPSHOT_S3_ACCESS_KEY_ID ?? "";
  const secret = env.SNAPSHOT_S3_SECRET_ACCESS_KEY ?? "";
  if (id === "" && secret === "") return undefined;
  if (id === "" || secret === "") {
    const [missing, set] =
      id === ""
        ? [S3_ACCESS_KEY_ID_ENV, S3_SECRET_ACCESS_KEY_ENV]
        : [S3_SECRET_ACCESS_KEY_ENV, S3_ACCESS_KEY_ID_ENV];
    throw new Error(`${set} is set but ${missing} is not: set both (the bucket's key pair)`);
  }
  for (const [name, value] of [
    [S3_ACCESS_KEY_ID_ENV, id],
    [S3_SECRET_ACCESS_KEY_ENV, secret],
  ]) {
    if (!KEY.test(value)) {
      throw new Error(
        `${name} holds a space, a line break or a non-ASCII character, which no S3 key has: check its value`,
      );
    }
  }
  return { accessKeyId: id, secretAccessKey: secret };
}

/** The file's content, as render-config.sh reads it. Pure. */
export function credentialsFileText(c: S3Credentials): string {
  return `etcd-s3-access-key=${c.accessKeyId}\netcd-s3-secret-key=${c.secretAccessKey}\n`;
}

/** sha256 of a text, hex: what `sha256sum` prints on the node. Pure. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * One exec that answers two digests, never a key: the file's (`file <hex>`)
 * and the one render-config.sh recorded when k3s last started (`rendered
 * <hex>`), `none` for a missing file. POSIX sh and coreutils/busybox only.
 */
export const CREDENTIALS_STATE_COMMAND: readonly string[] = [
  "sh",
  "-c",
  `f=$(sha256sum ${S3_CREDENTIALS_FILE} 2>/dev/null) || f=none; ` +
    `r=$(cat ${S3_CREDENTIALS_RENDERED_FILE} 2>/dev/null) || r=none; ` +
    `echo "file \${f%% *}"; echo "rendered \${r:-none}"`,
];

/** The two digests of CREDENTIALS_STATE_COMMAND's answer (undefined: no such file). Pure. */
export function parseCredentialsState(stdout: string): { file?: string; rendered?: string } {
  const value = (key: string): string | undefined => {
    const m = new RegExp(`^${key} ([0-9a-f]{64}|none)\\s*$`, "m").exec(stdout);
    return m && m[1] !== "none" ? m[1] : undefined;
  };
  return { file: value("file"), rendered: value("rendered") };
}

/** Writes stdin to the credentials file, 0600, atomically. */
export const WRITE_CREDENTIALS_COMMAND = writeFileCommand(S3_CREDENTIALS_FILE);

/** Whether a machine is a server whose env names a snapshot bucket. Pure. */
export function wantsS3Credentials(m: Machine): boolean {
  const env = m.config?.env ?? {};
  return env.K3S_ROLE === "server" && (env.K3S_SNAPSHOT_S3_BUCKET ?? "") !== "";
}

/**
 * Writes the keys in `env` onto a server whose k3s has not started: it waits
 * for the deploy's decision or join token, which the caller writes next, so
 * its first start renders them and the sync after the apply finds nothing to
 * restart. Nothing for a machine that names no bucket, or when `env` holds no
 * keys (the sync after the apply says what is missing).
 */
export async function s3CredentialsBeforeFirstStart(
  api: MachinesApi,
  app: string,
  m: Machine,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<void> {
  const creds = wantsS3Credentials(m) ? s3CredentialsFromEnv(env) : undefined;
  if (!creds) return;
  await writeFileOn(api, app, m, S3_CREDENTIALS_FILE, credentialsFileText(creds));
  log(`S3 snapshot credentials written (0600, on the volume) before k3s starts: ${app}/${m.name}`);
}

/** What one sync did, machine by machine (`<app>/<name>`). */
export interface S3SyncReport {
  /** Keys written now. */
  readonly written: string[];
  /** Already the same keys: not rewritten. */
  readonly unchanged: string[];
  /** No keys in the environment: the file on the volume, whatever it holds, stays. */
  readonly kept: string[];
  /** No keys in the environment and none on the volume. */
  readonly missing: string[];
  /** Not running: skipped (the next deploy writes them). */
  readonly notStarted: string[];
  /** k3s started with other keys, or none: it reads the file's at its next start. */
  readonly restartNeeded: { readonly app: string; readonly name: string; readonly id: string }[];
  /** Could not be asked or written: why. */
  readonly failed: string[];
}

/**
 * Brings the servers of `apps` that name a bucket to `creds` (none: only
 * checks that they have keys). Never throws for one machine: the report says.
 */
export async function syncS3Credentials(
  api: MachinesApi,
  apps: readonly string[],
  creds: S3Credentials | undefined,
): Promise<S3SyncReport> {
  const r: S3SyncReport = {
    written: [],
    unchanged: [],
    kept: [],
    missing: [],
    notStarted: [],
    restartNeeded: [],
    failed: [],
  };
  const text = creds ? credentialsFileText(creds) : undefined;
  const digest = text === undefined ? undefined : sha256Hex(text);
  for (const app of apps) {
    const machines = await api.listMachines(app).catch((e: unknown) => {
      // An app the apply has not created yet has no server to write to.
      if (e instanceof MachinesApiError && e.status === 404) return [];
      throw e;
    });
    const servers = machines.filter(wantsS3Credentials);
    for (const m of servers) {
      const where = `${app}/${m.name}`;
      if (m.state !== "started") {
        r.notStarted.push(`${where} (${m.state})`);
        continue;
      }
      try {
        const state = parseCredentialsState(
          await execOrFail(api, m, app, CREDENTIALS_STATE_COMMAND),
        );
        let now = state.file;
        if (text !== undefined && state.file !== digest) {
          await execOrFail(api, m, app, WRITE_CREDENTIALS_COMMAND, text);
          r.written.push(where);
          now = digest;
        } else if (text !== undefined) {
          r.unchanged.push(where);
        } else if (state.file !== undefined) {
          r.kept.push(where);
        } else {
          r.missing.push(where);
        }
        // Only a node image with k3s runs render-config.sh, which records the digest.
        if (now !== undefined && imageRunsK3s(m.config.image) && state.rendered !== now) {
          r.restartNeeded.push({ app, name: m.name, id: m.id });
        }
      } catch (e) {
        r.failed.push(`${where}: ${(e as Error).message}`);
      }
    }
  }
  return r;
}

/**
 * The lines a sync prints. Before the apply only what it wrote: the rest
 * (what is kept, skipped, or waits for a restart) may change with the apply,
 * and the sync after it says. Failures and missing keys are
 * s3CredentialsStep's answer, not lines. Pure.
 */
export function s3SyncLines(r: S3SyncReport, when: S3SyncWhen): string[] {
  const list = (xs: readonly string[]) => xs.join(", ");
  const lines: string[] = [];
  if (r.written.length > 0) {
    lines.push(`S3 snapshot credentials written (0600, on the volume) ${when}: ${list(r.written)}`);
  }
  if (when === "before the apply") return lines;
  if (r.unchanged.length > 0) {
    lines.push(`S3 snapshot credentials unchanged ${when}: ${list(r.unchanged)}`);
  }
  if (r.kept.length > 0) {
    lines.push(
      `S3 snapshot credentials: ${S3_ACCESS_KEY_ID_ENV} and ${S3_SECRET_ACCESS_KEY_ENV} are not ` +
        `set, so the keys already on ${list(r.kept)} stay as they are`,
    );
  }
  if (r.notStarted.length > 0) {
    lines.push(
      `S3 snapshot credentials: not started, skipped ${when}: ${list(r.notStarted)}; the next ` +
        `deploy writes them`,
    );
  }
  if (r.restartNeeded.length > 0) {
    const servers = r.restartNeeded.map((x) => `${x.app}/${x.name}`);
    const commands = r.restartNeeded.map((x) => `fly machine restart ${x.id} -a ${x.app}`);
    lines.push(
      `S3 snapshot credentials: k3s on ${list(servers)} started without its current keys (k3s ` +
        `reads them at start), so its snapshots are not uploaded to S3 yet. It picks them up at ` +
        `its next restart: the next roll (a K3S_VERSION or config change), or restart these ` +
        `servers one at a time, each once the one before is Ready and etcd healthy again: ` +
        `${commands.join("; ")}`,
    );
  }
  return lines;
}

/** Why a server with a bucket has no keys, and the fix. Pure. */
export function missingCredentialsMessage(machines: readonly string[]): string {
  return (
    `SNAPSHOT_S3_BUCKET is set, but ${machines.join(", ")} ${machines.length === 1 ? "has" : "have"} ` +
    `no S3 credentials and ${S3_ACCESS_KEY_ID_ENV} and ${S3_SECRET_ACCESS_KEY_ENV} are not set: ` +
    `snapshots would not reach the bucket. Set both (the bucket's key pair, e.g. from ` +
    `fly storage create) in the environment and deploy again`
  );
}

/** When the deploy syncs the keys. */
export type S3SyncWhen = "before the apply" | "after the apply";

/**
 * The deploy's two calls (ops/deploy.ts), on the apps the stack declares.
 * Answers what stops the deploy, or undefined: keys in the environment that
 * are not a key pair stop it before anything is applied; after the apply, a
 * server that could not be written, or that has no keys while none are in the
 * environment. Before the apply those are warnings: the sync after it retries.
 */
export async function s3CredentialsAroundApply(
  adopt: { readonly api: MachinesApi; readonly declared: Declared },
  env: NodeJS.ProcessEnv,
  log: Log,
  when: S3SyncWhen,
): Promise<string | undefined> {
  const apps = adopt.declared.apps.map((a) => a.name);
  const problem = await s3CredentialsStep(adopt.api, apps, env, log, when);
  if (problem === undefined || when === "after the apply" || problem.startsWith(ENV_PROBLEM)) {
    return problem;
  }
  log(`warning: ${problem}`);
  return undefined;
}

const ENV_PROBLEM = "S3 snapshot credentials in the environment: ";

/**
 * One sync, `when` the deploy's apply runs: reads the keys from `env`, syncs,
 * logs. Answers an error message when the deploy must not say it succeeded
 * (keys that could not be read, written or found), or undefined.
 */
export async function s3CredentialsStep(
  api: MachinesApi,
  apps: readonly string[],
  env: NodeJS.ProcessEnv,
  log: Log,
  when: S3SyncWhen,
): Promise<string | undefined> {
  let creds: S3Credentials | undefined;
  try {
    creds = s3CredentialsFromEnv(env);
  } catch (e) {
    return `${ENV_PROBLEM}${(e as Error).message}; nothing was deployed`;
  }
  let report: S3SyncReport;
  try {
    report = await syncS3Credentials(api, apps, creds);
  } catch (e) {
    return `S3 snapshot credentials: the servers could not be listed ${when}: ${(e as Error).message}`;
  }
  for (const line of s3SyncLines(report, when)) log(line);
  if (report.failed.length > 0) {
    return `S3 snapshot credentials could not be checked or written ${when} on ${report.failed.join("; ")}; deploy again`;
  }
  if (report.missing.length > 0) return missingCredentialsMessage(report.missing);
  return undefined;
}
