/**
 * Where the toolchain lives in the cache (~/.cache/fly-k3s): the shell
 * scripts build it there (scripts/setup.sh, providers.sh) and the CLI runs
 * it from there (cli/toolchain.ts). This table is the owner; the scripts
 * source `scripts/cache-layout.sh`, written from it by
 * `npx ts-node --transpile-only scripts/write-cache-layout.ts`, and
 * __tests__/contract/cache-layout.test.ts fails when that file is stale.
 * Versions come from scripts/toolchain.env, their own owner. Pure.
 */
import * as path from "path";

/** Where the cache is: FLY_K3S_CACHE, else `$XDG_CACHE_HOME/fly-k3s`, else `<home>/.cache/fly-k3s`. */
export function cacheRoot(
  env: { readonly FLY_K3S_CACHE?: string; readonly XDG_CACHE_HOME?: string },
  home: string,
): string {
  return env.FLY_K3S_CACHE || path.join(env.XDG_CACHE_HOME || path.join(home, ".cache"), "fly-k3s");
}

/** The same rule as a bash word (unset or empty counts as not set, as in `cacheRoot`). */
const CACHE_ROOT_SHELL = "${FLY_K3S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fly-k3s}";

/**
 * Every path under the cache root, by the shell variable that holds it;
 * `${NAME}` is a version from scripts/toolchain.env.
 */
export const CACHE_LAYOUT = {
  /** OpenTofu, built from source. */
  TOFU_DIR: "tofu-${TOFU_VERSION}",
  TOFU_BIN: "tofu-${TOFU_VERSION}/tofu",
  /** The providers, built from their source archives, by build key. */
  PROVIDER_BUILDS_DIR: "providers",
  /** The filesystem mirror OpenTofu installs providers from. */
  MIRROR_DIR: "provider-mirror",
  /** The CLI configuration naming the mirror. */
  TF_CLI_CONFIG: "tofu.tfrc",
  PLUGIN_CACHE_DIR: "plugin-cache",
  VERSITYGW_BIN: "versitygw-${VERSITYGW_VERSION}/versitygw",
  ACTIONLINT_BIN: "actionlint-${ACTIONLINT_VERSION}/actionlint",
  /** The JavaScript builds of bin/fly-machines (cli/ops-build.ts), by content key. */
  OPS_JS_DIR: "ops-js",
  /** What `./k3s.sh --probe` found, one file per org, region and node image (cli/probe/cache.ts). */
  PROBES_DIR: "probes",
  /** Which toolchain `npm run setup` chose, offline or online (contract/setup-mode.ts). */
  SETUP_MODE_FILE: "setup-mode",
  /** What the local Fly's set-up changed on this host, so it can be undone (scripts/host-setup.ts). */
  HOST_SETUP_RECORD: "host-setup.json",
  /** The local Fly's podman settings, named to podman by the emulator (contract/podman-conf.ts). */
  PODMAN_CONF: "containers.conf",
} as const;

export type CachePath = keyof typeof CACHE_LAYOUT;

/** A cache path, the versions filled in by `version` (a scripts/toolchain.env lookup). Pure. */
export function cachePath(root: string, name: CachePath, version: (v: string) => string): string {
  return path.join(
    root,
    CACHE_LAYOUT[name].replace(/\$\{([A-Z0-9_]+)\}/g, (_, v: string) => version(v)),
  );
}

/** Where the shell copy lives, relative to the repository root. */
export const CACHE_LAYOUT_SCRIPT_PATH = "scripts/cache-layout.sh";

/** The shell copy: scripts/lib.sh sources it after scripts/toolchain.env. Pure. */
export function cacheLayoutScript(): string {
  return [
    "# shellcheck shell=bash disable=SC2034",
    "# Generated from CACHE_LAYOUT in contract/cache-layout.ts by",
    "# `npx ts-node --transpile-only scripts/write-cache-layout.ts`; do not edit.",
    "# Where the toolchain lives in the cache. scripts/lib.sh sources this after",
    "# scripts/toolchain.env (the versions).",
    `CACHE_DIR=${CACHE_ROOT_SHELL}`,
    ...Object.entries(CACHE_LAYOUT).map(([name, rel]) => `${name}="$CACHE_DIR/${rel}"`),
  ]
    .join("\n")
    .concat("\n");
}
