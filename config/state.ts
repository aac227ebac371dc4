import * as os from "os";
import * as path from "path";

/**
 * Where a cluster's Terraform state lives. Chosen by the environment, never by
 * the cluster config, so one config deploys the same way from a laptop and
 * from CI:
 *
 *   FLY_K3S_TARGET          "fly" (default) or "local" (set by k3s.sh for the emulator)
 *
 * Local files (the default): outside the checkout and outside cdktf.out/, one
 * directory per target and cluster, so deleting the checkout or cdktf.out/
 * never loses it. The synthesized stack does not name the file (its local
 * backend has no path): `tofu init` is given it (`localStateInitArgs`), by the
 * machine that applies the stack, from that machine's environment.
 *
 *   FLY_K3S_STATE_DIR       root directory (default ~/.local/state/fly-k3s)
 *
 * S3, with S3-native locking (OpenTofu's `use_lockfile`), when a bucket is
 * named: Tigris on Fly, AWS S3 or any S3-compatible service. Credentials come
 * only from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY at apply time; they are
 * never read here and never synthesized.
 *
 *   FLY_K3S_STATE_BUCKET    bucket (must exist); the object key is
 *                           <target>/<cluster>/terraform.tfstate
 *   FLY_K3S_STATE_ENDPOINT  S3 endpoint URL of a service other than AWS, e.g.
 *                           https://fly.storage.tigris.dev (path-style requests)
 *   FLY_K3S_STATE_REGION    region (default "auto" with an endpoint, as Tigris
 *                           and R2 expect; "us-east-1" for AWS)
 */
export function stateFileFor(cluster: string, env: NodeJS.ProcessEnv = process.env): string {
  const root =
    env.FLY_K3S_STATE_DIR ||
    path.join(env.XDG_STATE_HOME || path.join(os.homedir(), ".local", "state"), "fly-k3s");
  return path.join(root, stateTarget(env), cluster, "terraform.tfstate");
}

/**
 * The `tofu init` arguments that complete a stack's local backend (synthesized
 * without a path, constructs/cluster-stack.ts) with the cluster's state file
 * on this machine. Pure.
 */
export function localStateInitArgs(
  cluster: string,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  return [`-backend-config=path=${stateFileFor(cluster, env)}`];
}

/** The target part of every state location: "local" for the emulator, else "fly". */
function stateTarget(env: NodeJS.ProcessEnv): "fly" | "local" {
  return env.FLY_K3S_TARGET === "local" ? "local" : "fly";
}

/** A cluster's state in an S3 bucket. */
export interface S3State {
  readonly bucket: string;
  /** `<target>/<cluster>/terraform.tfstate` */
  readonly key: string;
  readonly region: string;
  /** Endpoint URL of an S3-compatible service; absent for AWS S3. */
  readonly endpoint?: string;
}

/** Variables that only mean something with FLY_K3S_STATE_BUCKET. */
const NEEDS_BUCKET = ["FLY_K3S_STATE_ENDPOINT", "FLY_K3S_STATE_REGION"] as const;

/** S3 bucket names: 3-63 lowercase letters, digits, dots and hyphens, starting and ending alphanumeric. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The S3 state for a cluster, or undefined when the state stays in local files
 * (no FLY_K3S_STATE_BUCKET). Pure. Throws, naming the variable, the value and
 * the fix, on a setting that cannot work.
 */
export function s3StateFor(
  cluster: string,
  env: NodeJS.ProcessEnv = process.env,
): S3State | undefined {
  const bucket = env.FLY_K3S_STATE_BUCKET ?? "";
  if (bucket === "") {
    const stray = NEEDS_BUCKET.find((k) => env[k]);
    if (stray) {
      throw new Error(
        `${stray} is set (got "${env[stray]}") but FLY_K3S_STATE_BUCKET is not: ` +
          `set FLY_K3S_STATE_BUCKET=<bucket> to keep the state in S3, or unset ${stray} to keep it in local files`,
      );
    }
    return undefined;
  }
  if (!BUCKET_NAME.test(bucket) || bucket.includes("..")) {
    throw new Error(
      `FLY_K3S_STATE_BUCKET: not an S3 bucket name (got "${bucket}"); ` +
        `use 3-63 lowercase letters, digits, dots and hyphens, e.g. FLY_K3S_STATE_BUCKET=fly-k3s-state`,
    );
  }
  const endpoint = env.FLY_K3S_STATE_ENDPOINT || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    throw new Error(
      `FLY_K3S_STATE_ENDPOINT: not an endpoint URL (got "${endpoint}"); ` +
        `give the scheme and host only, e.g. FLY_K3S_STATE_ENDPOINT=https://fly.storage.tigris.dev`,
    );
  }
  const region = env.FLY_K3S_STATE_REGION || (endpoint ? "auto" : "us-east-1");
  return {
    bucket,
    key: `${stateTarget(env)}/${cluster}/terraform.tfstate`,
    region,
    ...(endpoint ? { endpoint: endpoint.replace(/\/$/, "") } : {}),
  };
}

/** Where the state is, in words for a log line: the file, or s3://bucket/key. */
export function stateLocation(cluster: string, env: NodeJS.ProcessEnv = process.env): string {
  const s3 = s3StateFor(cluster, env);
  if (!s3) return stateFileFor(cluster, env);
  return `s3://${s3.bucket}/${s3.key}${s3.endpoint ? ` at ${s3.endpoint}` : ""}`;
}
