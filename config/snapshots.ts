/**
 * The etcd snapshot keys of a cluster config: schedule, retention and an S3
 * target (Tigris on Fly by default). config/schema.ts spreads SNAPSHOT_KEYS
 * into its one table of keys, checks `snapshotProblems` and resolves the
 * defaults once, with `snapshotConfig`. Servers get the result as their
 * K3S_SNAPSHOT_* environment (`snapshotNodeEnv`), which
 * images/k3s-node/render-config.sh turns into k3s's settings. The S3
 * credentials are never a config key: they come from the operator's
 * environment at deploy time (ops/s3-credentials.ts). Pure.
 *
 * k3s's names and defaults: k3s-io/k3s pkg/cli/cmds/server.go
 * (etcd-snapshot-schedule-cron "0 *\/12 * * *", etcd-snapshot-retention 5,
 * etcd-s3-endpoint s3.amazonaws.com, etcd-s3-region us-east-1) and k3s-io/docs
 * docs/cli/etcd-snapshot.md.
 */
import { z } from "zod";
import type { NodeEnvName } from "../contract/node-env";

/** Where snapshots go besides the servers' volumes. */
export interface S3SnapshotTarget {
  readonly bucket: string;
  /** host or host:port, no scheme: what k3s's etcd-s3-endpoint takes. */
  readonly endpoint: string;
  readonly region: string;
  /** Key prefix inside the bucket. */
  readonly folder: string;
  /** Plain HTTP (a local S3 server); false for Tigris and AWS. */
  readonly insecure: boolean;
}

/** A cluster's etcd snapshot settings, every default resolved. */
export interface SnapshotConfig {
  /** Cron schedule of k3s's scheduled snapshots (5 fields, or a descriptor such as @daily). */
  readonly scheduleCron: string;
  /** Scheduled snapshots k3s keeps per server (and in S3). */
  readonly retention: number;
  /** Unset: snapshots stay on the servers' volumes only. */
  readonly s3?: S3SnapshotTarget;
}

export const DEFAULT_SNAPSHOT_SCHEDULE = "0 */12 * * *";
export const DEFAULT_SNAPSHOT_RETENTION = 5;
/** Tigris, Fly's S3 (https://fly.io/docs/tigris/): its endpoint and region. */
export const TIGRIS_ENDPOINT = "fly.storage.tigris.dev";
export const TIGRIS_REGION = "auto";
export const MAX_SNAPSHOT_RETENTION = 1000;

type Ctx = z.RefinementCtx;
const fail = (ctx: Ctx, message: string): typeof z.NEVER => {
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
};
const quoted = (s: string): string => JSON.stringify(s);

/** Each cron field: its name and range (robfig/cron v3's standard parser, which k3s uses). */
const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] as string[] },
  { name: "hour", min: 0, max: 23, names: [] as string[] },
  { name: "day of month", min: 1, max: 31, names: [] as string[] },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { name: "day of week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
] as const;

const DESCRIPTORS = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/;
const EVERY = /^@every ((\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/;

/** Why `spec` is not a schedule k3s's cron parser takes, or undefined. Pure. */
export function cronProblem(spec: string): string | undefined {
  const s = spec.trim();
  if (DESCRIPTORS.test(s) || EVERY.test(s)) return undefined;
  const fields = s.split(/\s+/);
  const example = `such as ${quoted(DEFAULT_SNAPSHOT_SCHEDULE)} (every 12 hours) or "@daily"`;
  if (fields.length !== CRON_FIELDS.length) {
    return `must be a cron schedule of 5 fields (minute hour day-of-month month day-of-week), ${example} (got ${quoted(spec)})`;
  }
  for (const [i, field] of fields.entries()) {
    const f = CRON_FIELDS[i];
    const value = (v: string): number | undefined => {
      const named = (f.names as readonly string[]).indexOf(v.toLowerCase());
      if (named >= 0) return named + f.min;
      return /^\d+$/.test(v) ? Number(v) : undefined;
    };
    for (const part of field.split(",")) {
      const m = /^(\*|\?|([^-/]+)(?:-([^-/]+))?)(?:\/(\d+))?$/.exec(part);
      const bounds = m && m[2] !== undefined ? [m[2], m[3] ?? m[2]].map(value) : [];
      const step = m?.[4] === undefined ? 1 : Number(m[4]);
      if (!m || bounds.some((b) => b === undefined) || step < 1) {
        return `${quoted(part)} is not a valid ${f.name} field; ${example} (got ${quoted(spec)})`;
      }
      const bad = (bounds as number[]).find((b) => b < f.min || b > f.max);
      if (bad !== undefined) {
        return `${f.name} ${bad} is out of range ${f.min}-${f.max} (got ${quoted(spec)})`;
      }
    }
  }
  return undefined;
}

/** S3 bucket naming rules (AWS's, which Tigris follows). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOST = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

function endpointProblem(s: string): string | undefined {
  const scheme = /^([a-z]+):\/\/([^/]*)/i.exec(s);
  if (scheme) {
    const insecure = scheme[1].toLowerCase() === "http" ? " and SNAPSHOT_S3_INSECURE=true" : "";
    return `must be a host or host:port without a scheme, as k3s's etcd-s3-endpoint takes it (got ${quoted(s)}); write SNAPSHOT_S3_ENDPOINT=${quoted(scheme[2])}${insecure}`;
  }
  const m = /^(\[[0-9a-f:.]+\]|[^:/[\]]+)(?::(\d{1,5}))?$/i.exec(s);
  const port = m?.[2] === undefined ? 1 : Number(m[2]);
  if (!m || (!m[1].startsWith("[") && !HOST.test(m[1])) || port < 1 || port > 65535) {
    return `must be a host or host:port, such as ${quoted(TIGRIS_ENDPOINT)} (got ${quoted(s)})`;
  }
  return undefined;
}

const FOLDER = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

/**
 * The snapshot keys, in the shape of config/schema.ts's KEYS: documentation
 * (the README's config reference), the documented default and validation.
 */
export const SNAPSHOT_KEYS = {
  SNAPSHOT_SCHEDULE: {
    doc: 'When the servers take scheduled etcd snapshots: a cron schedule of 5 fields (minute hour day-of-month month day-of-week, the servers\' clock is UTC) or `@daily`, `@hourly`, `@every 6h`. Checked here, since k3s ignores a schedule it cannot parse and then takes none. See the README, "Etcd snapshots".',
    default: DEFAULT_SNAPSHOT_SCHEDULE,
    schema: z
      .string()
      .transform((s, ctx) => {
        const problem = cronProblem(s);
        return problem ? fail(ctx, problem) : s.trim();
      })
      .optional(),
  },
  SNAPSHOT_RETENTION: {
    doc: `Scheduled etcd snapshots kept per server, and in S3 (1 to ${MAX_SNAPSHOT_RETENTION}); k3s removes the oldest. On-demand ones (\`./k3s.sh --snapshot\`, the one before an upgrade) have no retention (k3s docs, etcd-snapshot): \`k3s etcd-snapshot delete\` removes them.`,
    default: String(DEFAULT_SNAPSHOT_RETENTION),
    schema: z
      .string()
      .transform((s, ctx) => {
        const n = Number(s);
        if (!/^\d+$/.test(s) || n < 1 || n > MAX_SNAPSHOT_RETENTION) {
          return fail(
            ctx,
            `must be a whole number from 1 to ${MAX_SNAPSHOT_RETENTION} (got ${quoted(s)})`,
          );
        }
        return n;
      })
      .optional(),
  },
  SNAPSHOT_S3_BUCKET: {
    doc: "S3 bucket the servers also upload their etcd snapshots to (`fly storage create` makes a Tigris one). Unset: snapshots stay on the servers' volumes only. Its keys come from the operator's environment at deploy time (SNAPSHOT_S3_ACCESS_KEY_ID, SNAPSHOT_S3_SECRET_ACCESS_KEY), never from this file.",
    default: "none",
    schema: z
      .string()
      .refine((s) => BUCKET.test(s) && !s.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(s), {
        message:
          "must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and dashes, starting and ending with a letter or digit",
      })
      .optional(),
  },
  SNAPSHOT_S3_ENDPOINT: {
    doc: "With SNAPSHOT_S3_BUCKET: the S3 endpoint, host or host:port without `https://`. The default is Tigris on Fly.",
    default: TIGRIS_ENDPOINT,
    schema: z
      .string()
      .transform((s, ctx) => {
        const problem = endpointProblem(s);
        return problem ? fail(ctx, problem) : s;
      })
      .optional(),
  },
  SNAPSHOT_S3_REGION: {
    doc: "With SNAPSHOT_S3_BUCKET: the bucket's region (`auto` for Tigris; for AWS the bucket's region, such as `us-east-1`).",
    default: TIGRIS_REGION,
    schema: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, {
        message: "must be a region name: lowercase letters, digits and dashes, such as auto",
      })
      .optional(),
  },
  SNAPSHOT_S3_FOLDER: {
    doc: "With SNAPSHOT_S3_BUCKET: the key prefix (folder) of the snapshots in the bucket, so that clusters can share one.",
    default: "<CLUSTER_NAME>",
    schema: z
      .string()
      .refine((s) => FOLDER.test(s) && s.length <= 256, {
        message:
          "must be a folder such as prod or backups/prod: letters, digits, dots, dashes and underscores, parts separated by single slashes, no slash at either end",
      })
      .optional(),
  },
  SNAPSHOT_S3_INSECURE: {
    doc: "With SNAPSHOT_S3_BUCKET: `true` talks plain HTTP to the endpoint (a local S3 server in a test); never for Tigris or AWS.",
    default: "false",
    schema: z.enum(["true", "false"], { error: "must be true or false" }).optional(),
  },
} as const;

/** The snapshot keys' values as the schema parsed them (absent: not set). */
export interface SnapshotValues {
  readonly SNAPSHOT_SCHEDULE?: string;
  readonly SNAPSHOT_RETENTION?: number;
  readonly SNAPSHOT_S3_BUCKET?: string;
  readonly SNAPSHOT_S3_ENDPOINT?: string;
  readonly SNAPSHOT_S3_REGION?: string;
  readonly SNAPSHOT_S3_FOLDER?: string;
  readonly SNAPSHOT_S3_INSECURE?: "true" | "false";
}

const S3_DETAIL_KEYS = [
  "SNAPSHOT_S3_ENDPOINT",
  "SNAPSHOT_S3_REGION",
  "SNAPSHOT_S3_FOLDER",
  "SNAPSHOT_S3_INSECURE",
] as const;

/** Problems between keys, each on its key's line: an S3 detail without a bucket. Pure. */
export function snapshotProblems(v: SnapshotValues): { key: string; message: string }[] {
  if (v.SNAPSHOT_S3_BUCKET !== undefined) return [];
  return S3_DETAIL_KEYS.filter((k) => v[k] !== undefined).map((key) => ({
    key,
    message: `has no effect without SNAPSHOT_S3_BUCKET (snapshots stay on the servers' volumes); set SNAPSHOT_S3_BUCKET="<bucket>" or remove this line`,
  }));
}

/** The settings with every default resolved, once. Pure. */
export function snapshotConfig(v: SnapshotValues, clusterName: string): SnapshotConfig {
  const base = {
    scheduleCron: v.SNAPSHOT_SCHEDULE ?? DEFAULT_SNAPSHOT_SCHEDULE,
    retention: v.SNAPSHOT_RETENTION ?? DEFAULT_SNAPSHOT_RETENTION,
  };
  if (v.SNAPSHOT_S3_BUCKET === undefined) return base;
  return {
    ...base,
    s3: {
      bucket: v.SNAPSHOT_S3_BUCKET,
      endpoint: v.SNAPSHOT_S3_ENDPOINT ?? TIGRIS_ENDPOINT,
      region: v.SNAPSHOT_S3_REGION ?? TIGRIS_REGION,
      folder: v.SNAPSHOT_S3_FOLDER ?? clusterName,
      insecure: v.SNAPSHOT_S3_INSECURE === "true",
    },
  };
}

/**
 * A server's K3S_SNAPSHOT_* environment (contract/node-env.ts), which
 * render-config.sh renders into k3s's etcd-snapshot-* and etcd-s3-*
 * settings. Servers only: agents hold no etcd. No credential is ever part of
 * it. Pure.
 */
export function snapshotNodeEnv(s: SnapshotConfig): Partial<Record<NodeEnvName, string>> {
  // k3s's own defaults are left out: the node renders nothing for them and k3s
  // applies the same values, and a cluster deployed before these keys existed
  // keeps its servers' environment (no roll for nothing).
  return {
    ...(s.scheduleCron !== DEFAULT_SNAPSHOT_SCHEDULE
      ? { K3S_SNAPSHOT_SCHEDULE: s.scheduleCron }
      : {}),
    ...(s.retention !== DEFAULT_SNAPSHOT_RETENTION
      ? { K3S_SNAPSHOT_RETENTION: String(s.retention) }
      : {}),
    ...(s.s3
      ? {
          K3S_SNAPSHOT_S3_BUCKET: s.s3.bucket,
          K3S_SNAPSHOT_S3_ENDPOINT: s.s3.endpoint,
          K3S_SNAPSHOT_S3_REGION: s.s3.region,
          K3S_SNAPSHOT_S3_FOLDER: s.s3.folder,
          K3S_SNAPSHOT_S3_INSECURE: String(s.s3.insecure),
        }
      : {}),
  };
}

/** Where a snapshot of this cluster lands, in the operator's words. Pure. */
export function snapshotDestination(s: SnapshotConfig): string {
  if (!s.s3) return "on the bootstrap server's volume only (no SNAPSHOT_S3_BUCKET)";
  const scheme = s.s3.insecure ? "http" : "https";
  return `on the bootstrap server's volume and in s3://${s.s3.bucket}/${s.s3.folder} (${scheme}://${s.s3.endpoint})`;
}
