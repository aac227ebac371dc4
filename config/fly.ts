/**
 * Facts about the Fly.io platform that config validation relies on.
 * Sources: Fly's docs (regions list, machine sizing) and fly-go's MachinePresets,
 * summarised in shared/reference/fly-platform.md §3 and §4.
 */

/** Current Fly region codes (docs, reference/regions, 2025-10). */
export const FLY_REGIONS = [
  "ams", "arn", "bom", "cdg", "dfw", "ewr", "fra", "gru", "iad",
  "jnb", "lax", "lhr", "nrt", "ord", "sin", "sjc", "syd", "yyz",
] as const; // prettier-ignore

export type CpuKind = "shared" | "performance";

export interface VmSize {
  readonly cpuKind: CpuKind;
  readonly cpus: number;
  /** Smallest and largest memory Fly allows for this size, in MB. */
  readonly minMemoryMb: number;
  readonly maxMemoryMb: number;
}

const SHARED_CPUS = [1, 2, 4, 6, 8];
const PERFORMANCE_CPUS = [1, 2, 4, 6, 8, 10, 12, 14, 16];

/** Fly's named sizes: shared-cpu-Nx (256..2048 MB per CPU), performance-Nx (2048..8192 MB per CPU). */
export const VM_SIZES: ReadonlyMap<string, VmSize> = new Map([
  ...SHARED_CPUS.map((n): [string, VmSize] => [
    `shared-cpu-${n}x`,
    { cpuKind: "shared", cpus: n, minMemoryMb: 256 * n, maxMemoryMb: 2048 * n },
  ]),
  ...PERFORMANCE_CPUS.map((n): [string, VmSize] => [
    `performance-${n}x`,
    { cpuKind: "performance", cpus: n, minMemoryMb: 2048 * n, maxMemoryMb: 8192 * n },
  ]),
]);

/**
 * Fly's name for a guest's CPU kind and count (`performance-4x`), or undefined
 * when Fly has none. The one place size names are made: a test fails on a
 * size name in any other .ts file that the table does not hold. Pure.
 */
export function vmSizeName(
  cpuKind: string | undefined,
  cpus: number | undefined,
): string | undefined {
  for (const [name, size] of VM_SIZES) {
    if (size.cpuKind === cpuKind && size.cpus === cpus) return name;
  }
  return undefined;
}

/** Memory must be a multiple of this many MB. */
export const MEMORY_STEP_MB = 256;

/** Largest Fly volume, in GB. */
export const MAX_VOLUME_GB = 500;

/** App names: lowercase letters, digits and dashes, at most 63 characters. */
export const APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Volume names: lowercase letters, digits and underscores, at most 30 characters. */
export const VOLUME_NAME = /^[a-z0-9_]{1,30}$/;

/** Organization slugs: lowercase letters, digits and dashes. */
export const ORG_SLUG = /^[a-z0-9][a-z0-9-]*$/;
