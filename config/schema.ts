import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import {
  APP_NAME,
  CpuKind,
  FLY_REGIONS,
  MAX_VOLUME_GB,
  MEMORY_STEP_MB,
  ORG_SLUG,
  VM_SIZES,
  VOLUME_NAME,
} from "./fly";
import { K3sVersion, parseK3sVersion, versionFloorProblem } from "./k3s-flags";
import { CONTROL_PLANE_COUNT, MAX_CLUSTER_NAME_LENGTH } from "./naming";
import { networkProblems, tenthAddress } from "./network";
import { SNAPSHOT_KEYS, SnapshotConfig, snapshotConfig, snapshotProblems } from "./snapshots";

/** A dual-stack CIDR pair, IPv6 first, as the user wrote it. */
export interface DualStackCidr {
  readonly ipv6: string;
  readonly ipv4: string;
  /** `"<ipv6>,<ipv4>"`, the form k3s takes. */
  readonly value: string;
}

export interface VmSpec {
  /** Fly size name, e.g. `performance-2x`. */
  readonly size: string;
  readonly cpuKind: CpuKind;
  readonly cpus: number;
  readonly memoryMb: number;
}

/** A validated cluster config with every default resolved. */
export interface ClusterConfig {
  readonly clusterName: string;
  readonly clusterCidr: DualStackCidr;
  readonly serviceCidr: DualStackCidr;
  readonly clusterDns: string;
  readonly region: string;
  readonly nodeGroupSize: number;
  readonly volumeSizeGb: number;
  readonly volumeName: string;
  readonly worker: VmSpec;
  readonly controlPlane: VmSpec;
  readonly k3sVersion: string;
  readonly orgName: string;
  /** Node image every machine runs. */
  readonly nodeImage: string;
  /** flannel backend of every node. */
  readonly flannelBackend: FlannelBackend;
  /** etcd snapshots: schedule, retention, S3 target (config/snapshots.ts). */
  readonly snapshots: SnapshotConfig;
}

/** flannel backends the node renders (images/k3s-node/render-config.sh). */
export const FLANNEL_BACKENDS = ["vxlan", "wireguard"] as const;
export type FlannelBackend = (typeof FLANNEL_BACKENDS)[number];

type Ctx = z.RefinementCtx;

const fail = (ctx: Ctx, message: string): typeof z.NEVER => {
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
};

const quoted = (s: string): string => JSON.stringify(s);

function integer(min: number, max: number, unit = "") {
  return z.string().transform((s, ctx) => {
    if (!/^\d+$/.test(s)) return fail(ctx, `must be a whole number (got ${quoted(s)})`);
    const n = Number(s);
    if (n < min || n > max) {
      return fail(ctx, `must be between ${min} and ${max}${unit} (got ${n})`);
    }
    return n;
  });
}

function parseCidr(s: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  try {
    const [addr, bits] = ipaddr.parseCIDR(s);
    // Reject host bits: "10.1.0.1/16" is almost always a typo.
    const network = ipaddr.parse(
      addr.kind() === "ipv6"
        ? ipaddr.IPv6.networkAddressFromCIDR(s).toString()
        : ipaddr.IPv4.networkAddressFromCIDR(s).toString(),
    );
    if (network.toString() !== addr.toString()) return undefined;
    return [addr, bits];
  } catch {
    return undefined;
  }
}

const dualStackCidr = z.string().transform((s, ctx): DualStackCidr => {
  const parts = s.split(",").map((p) => p.trim());
  if (parts.length !== 2) {
    return fail(
      ctx,
      `must be dual-stack, an IPv6 range then an IPv4 range separated by a comma (got ${quoted(s)}); for example "dead:beef:1:0::/56,10.1.0.0/16"`,
    );
  }
  const parsed = parts.map(parseCidr);
  const bad = parts.find((_, i) => parsed[i] === undefined);
  if (bad !== undefined) return fail(ctx, `${quoted(bad)} is not a network range in CIDR form`);
  const [first, second] = parsed as [ipaddr.IPv4 | ipaddr.IPv6, number][];
  if (first[0].kind() === "ipv4" && second[0].kind() === "ipv6") {
    return fail(
      ctx,
      `IPv6 range must come first for an IPv6-first cluster (got ${quoted(s)}); write ${quoted(`${parts[1]},${parts[0]}`)}`,
    );
  }
  if (first[0].kind() !== "ipv6" || second[0].kind() !== "ipv4") {
    return fail(ctx, `needs one IPv6 and one IPv4 range (got ${quoted(s)})`);
  }
  return { ipv6: parts[0], ipv4: parts[1], value: `${parts[0]},${parts[1]}` };
});

const vmSize = z.string().transform((s, ctx) => {
  if (!VM_SIZES.has(s)) {
    return fail(
      ctx,
      `${quoted(s)} is not a Fly VM size; use shared-cpu-Nx (N = 1, 2, 4, 6, 8) or performance-Nx (N = 1, 2, 4, ... 16)`,
    );
  }
  return s;
});

const memory = integer(256, 8192 * 16, " MB");

const k3sVersion = z.string().transform((s, ctx): { raw: string; version: K3sVersion } => {
  const version = parseK3sVersion(s);
  if (!version) return fail(ctx, 'must be a k3s release such as "v1.36.3+k3s1"');
  const problem = versionFloorProblem(s, version);
  if (problem) return fail(ctx, problem);
  return { raw: s, version };
});

/**
 * Every config key, once: its documentation (the README's config reference is
 * generated from it), its validation, and for optional keys the documented
 * default. The key lists, the zod object and the README table derive from it.
 */
export const KEYS = {
  CLUSTER_NAME: {
    doc: "Cluster name; prefixes the Fly apps (`<name>-cp`, `<name>-ng-<id>`). Lowercase letters, digits, dashes.",
    schema: z.string().refine((s) => APP_NAME.test(s) && s.length <= MAX_CLUSTER_NAME_LENGTH, {
      message: `must be lowercase letters, digits and dashes, start and end with a letter or digit, at most ${MAX_CLUSTER_NAME_LENGTH} characters (it prefixes Fly app names)`,
    }),
  },
  CLUSTER_CIDR: {
    doc: "Pod ranges, IPv6 first then IPv4, e.g. `dead:beef:1:0::/56,10.1.0.0/16`. Each node takes a /64 and a /24 of them, so IPv6 must be /48 to /63 and IPv4 shorter than /24, with room for every node.",
    schema: dualStackCidr,
  },
  SERVICE_CIDR: {
    doc: "Service ranges, IPv6 first then IPv4, e.g. `dead:beef:2::/112,10.2.0.0/16`; at least 8 addresses each (before Kubernetes 1.34 also at most /108 and /12). Best kept outside CLUSTER_CIDR: a range inside it is accepted with a warning (no node gets the node subnets it takes); one covering it is refused.",
    schema: dualStackCidr,
  },
  CLUSTER_DNS: {
    doc: "Cluster DNS service address; an IPv6 address inside the IPv6 service range, other than its first address (the API server's `kubernetes` service).",
    schema: z.string().refine((s) => ipaddr.IPv6.isValid(s) && !s.includes("/"), {
      message: "must be an IPv6 address (the cluster DNS service IP)",
    }),
  },
  REGION: {
    doc: "Fly region code for every machine and volume (`sjc`, `iad`, `ams`, ...).",
    schema: z.string().refine((s) => (FLY_REGIONS as readonly string[]).includes(s), {
      message: `must be a Fly region code: ${FLY_REGIONS.join(", ")}`,
    }),
  },
  NODE_GROUP_SIZE: {
    doc: "Machines per node group (1 to 64); each node's volume needs its own zone in the region.",
    schema: integer(1, 64),
  },
  VOLUME_SIZE: {
    doc: "Size of each node's volume in GB (1 to 500).",
    schema: integer(1, MAX_VOLUME_GB, " GB"),
  },
  VOLUME_NAME: {
    doc: "Name of the volumes (lowercase letters, digits, underscores; at most 30).",
    schema: z.string().refine((s) => VOLUME_NAME.test(s), {
      message: "must be lowercase letters, digits and underscores, at most 30 characters",
    }),
  },
  WORKER_VM_SIZE: {
    doc: "Fly size of worker machines: `shared-cpu-Nx` or `performance-Nx`.",
    schema: vmSize,
  },
  WORKER_VM_MEMORY: {
    doc: "Worker memory in MB: a multiple of 256 within the size's range.",
    schema: memory,
  },
  CP_VM_SIZE: {
    doc: "Fly size of the control-plane machines; `npm run check` warns about shared-cpu sizes, on which etcd is throttled.",
    schema: vmSize,
  },
  CP_VM_MEMORY: {
    doc: "Control-plane memory in MB: a multiple of 256 within the size's range.",
    schema: memory,
  },
  K3S_VERSION: {
    doc: "k3s release, e.g. `v1.36.3+k3s1`; v1.31.0+k3s1 or newer (the first release with every flag the node renders).",
    schema: k3sVersion,
  },
  ORG_NAME: {
    doc: "Fly organization slug that owns the apps.",
    schema: z.string().refine((s) => ORG_SLUG.test(s), {
      message: "must be a Fly organization slug: lowercase letters, digits and dashes",
    }),
  },
  NODE_IMAGE: {
    doc: "Image every node runs. On Fly, `npm run image -- clusters/<name> --push` builds images/k3s-node, pushes it to `registry.fly.io/<cluster>-images:<tag>` and sets this. The local Fly's test image (`localhost/fly-emulator-test:latest`) holds no k3s: with it the k3s steps are left out.",
    default: "fly-k3s/k3s-node:<K3S_VERSION with + replaced by ->",
    schema: z.string().min(1, "must not be empty").optional(),
  },
  FLANNEL_BACKEND: {
    doc: 'Pod network between nodes, the same on every node: `vxlan` (IPv6 pod traffic crosses nodes over 6PN; IPv4 pod traffic stays within a node, plus egress) or `wireguard` (both families across nodes in one encrypted tunnel over 6PN; needs WireGuard in Fly\'s guest kernel, which is unconfirmed). A node whose kernel cannot create the device refuses to start and says so. See the README, "Pod network".',
    default: "vxlan",
    schema: z
      .enum(FLANNEL_BACKENDS, { error: `must be one of ${FLANNEL_BACKENDS.join(", ")}` })
      .optional(),
  },
  // etcd snapshots: SNAPSHOT_SCHEDULE, SNAPSHOT_RETENTION, SNAPSHOT_S3_* (config/snapshots.ts).
  ...SNAPSHOT_KEYS,
} as const;

type KeyName = keyof typeof KEYS;
type Optional<K extends KeyName> = (typeof KEYS)[K] extends { default: string } ? K : never;
type OptionalKey = { [K in KeyName]: Optional<K> }[KeyName];

/** Keys every config must set, in the table's order. */
export const REQUIRED_KEYS = (Object.keys(KEYS) as KeyName[]).filter(
  (k) => !("default" in KEYS[k]),
) as Exclude<KeyName, OptionalKey>[];

/** Optional keys, with their documented defaults. */
export const OPTIONAL_KEYS = Object.fromEntries(
  (Object.keys(KEYS) as KeyName[])
    .filter((k) => "default" in KEYS[k])
    .map((k) => [
      k,
      { description: KEYS[k].doc, default: (KEYS[k] as { default: string }).default },
    ]),
) as Record<OptionalKey, { description: string; default: string }>;

export const ALL_KEYS: readonly string[] = Object.keys(KEYS);

/** The zod schema for a cluster config; input is KEY → raw string value. */
export const clusterConfigSchema = z
  .object(
    Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, v.schema])) as {
      [K in KeyName]: (typeof KEYS)[K]["schema"];
    },
  )
  .superRefine((c, ctx) => {
    checkMemory(ctx, "WORKER_VM_MEMORY", c.WORKER_VM_SIZE, c.WORKER_VM_MEMORY);
    checkMemory(ctx, "CP_VM_MEMORY", c.CP_VM_SIZE, c.CP_VM_MEMORY);
    const dns = ipaddr.IPv6.isValid(c.CLUSTER_DNS) ? ipaddr.IPv6.parse(c.CLUSTER_DNS) : undefined;
    const range = parseCidr(c.SERVICE_CIDR.ipv6);
    if (dns && range && !dns.match(range as [ipaddr.IPv6, number])) {
      ctx.addIssue({
        code: "custom",
        path: ["CLUSTER_DNS"],
        message: `${c.CLUSTER_DNS} is outside the IPv6 service range ${c.SERVICE_CIDR.ipv6} (SERVICE_CIDR); pick an address inside it${suggestion(c.SERVICE_CIDR.ipv6)}`,
      });
    }
    const problems = networkProblems({
      clusterCidr: c.CLUSTER_CIDR,
      serviceCidr: c.SERVICE_CIDR,
      clusterDns: c.CLUSTER_DNS,
      kubernetesMinor: c.K3S_VERSION.version.minor,
      minimumNodes: CONTROL_PLANE_COUNT + c.NODE_GROUP_SIZE,
    });
    for (const p of problems) ctx.addIssue({ code: "custom", path: [p.key], message: p.message });
    for (const p of snapshotProblems(c)) {
      ctx.addIssue({ code: "custom", path: [p.key], message: p.message });
    }
  })
  .transform((c): ClusterConfig => ({
    clusterName: c.CLUSTER_NAME,
    clusterCidr: c.CLUSTER_CIDR,
    serviceCidr: c.SERVICE_CIDR,
    clusterDns: c.CLUSTER_DNS,
    region: c.REGION,
    nodeGroupSize: c.NODE_GROUP_SIZE,
    volumeSizeGb: c.VOLUME_SIZE,
    volumeName: c.VOLUME_NAME,
    worker: vmSpec(c.WORKER_VM_SIZE, c.WORKER_VM_MEMORY),
    controlPlane: vmSpec(c.CP_VM_SIZE, c.CP_VM_MEMORY),
    k3sVersion: c.K3S_VERSION.raw,
    orgName: c.ORG_NAME,
    nodeImage: c.NODE_IMAGE ?? `fly-k3s/k3s-node:${c.K3S_VERSION.raw.replace("+", "-")}`,
    flannelBackend: c.FLANNEL_BACKEND ?? "vxlan",
    snapshots: snapshotConfig(c, c.CLUSTER_NAME),
  }));

const suggestion = (cidr: string): string => {
  const tenth = tenthAddress(cidr);
  return tenth ? `, such as ${tenth}` : "";
};

function vmSpec(size: string, memoryMb: number): VmSpec {
  const s = VM_SIZES.get(size);
  if (!s) throw new Error(`unknown size ${size}`); // unreachable after validation
  return { size, cpuKind: s.cpuKind, cpus: s.cpus, memoryMb };
}

function checkMemory(ctx: Ctx, key: string, size: string, memoryMb: number): void {
  const s = VM_SIZES.get(size);
  if (!s) return;
  if (memoryMb % MEMORY_STEP_MB !== 0) {
    ctx.addIssue({
      code: "custom",
      path: [key],
      message: `must be a multiple of ${MEMORY_STEP_MB} MB (got ${memoryMb})`,
    });
  } else if (memoryMb < s.minMemoryMb || memoryMb > s.maxMemoryMb) {
    ctx.addIssue({
      code: "custom",
      path: [key],
      message: `${memoryMb} MB is not allowed for ${size}; use ${s.minMemoryMb} to ${s.maxMemoryMb} MB`,
    });
  }
}
