/**
 * Which mode `npm run setup` chooses (offline or online), as a pure function
 * of what it found on the machine, tested with recorded inputs
 * (__tests__/set-up/decisions.test.ts); scripts/setup-mode.ts gathers the
 * inputs. The host's changes are scripts/host-decisions.ts.
 */
import type { SetupMode } from "../contract/setup-mode";

// ---------------------------------------------------------------------------
// The mode

export interface ModeInputs {
  /** `npm run setup -- --online` or `--offline`. */
  readonly flag?: SetupMode;
  /** FLY_K3S_USE_REGISTRY as set ("" or undefined: not set). */
  readonly useRegistry?: string;
  /** Where provider source archives would be, and which of the pinned ones are there. */
  readonly sources?: {
    readonly dir: string;
    /** "FLY_K3S_PROVIDER_SOURCES" or "../shared/third_party beside the checkout". */
    readonly origin: string;
    readonly present: readonly string[];
  };
  /** The pinned archive names (scripts/toolchain.env). */
  readonly archives: readonly string[];
  /** `tofu` on PATH and its version (undefined: none; version undefined: it did not say). */
  readonly tofu?: { readonly path: string; readonly version?: string };
  /** Oldest OpenTofu the online mode accepts, e.g. "1.12". */
  readonly tofuMin: string;
  /** process.platform. */
  readonly platform: string;
}

export type ModeChoice =
  | { readonly ok: true; readonly mode: SetupMode; readonly reason: string; readonly tofu?: string }
  | { readonly ok: false; readonly error: string };

/** Numeric dotted-version comparison: a >= b. Pure. */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a
    .replace(/^v/, "")
    .split(/[.-]/)
    .map((n) => parseInt(n, 10) || 0);
  const pb = b
    .replace(/^v/, "")
    .split(/[.-]/)
    .map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** How to get OpenTofu on this platform, one line each. Pure. */
export function installTofuHint(platform: string): string[] {
  const mac = "macOS: brew install opentofu";
  const deb =
    "Debian/Ubuntu: OpenTofu's apt repository (https://opentofu.org/docs/intro/install/deb: its installer with --install-method deb, then apt-get install tofu)";
  const gha = "GitHub Actions: uses: opentofu/setup-opentofu@v1 (before npm run setup)";
  return platform === "darwin" ? [mac, deb, gha] : [deb, mac, gha];
}

/**
 * Offline or online, and why. An explicit choice (--online/--offline, or
 * FLY_K3S_USE_REGISTRY=1/0) wins; otherwise any pinned provider source
 * archive present means offline (this project's machines and CI), none
 * means online. Online needs OpenTofu >= tofuMin on PATH. Pure.
 */
export function chooseMode(i: ModeInputs): ModeChoice {
  let mode: SetupMode;
  let why: string;
  const env = i.useRegistry ?? "";
  if (env !== "" && env !== "0" && env !== "1") {
    return {
      ok: false,
      error: `FLY_K3S_USE_REGISTRY=${env}: expected 1 (online) or 0 (offline); unset it to let setup choose`,
    };
  }
  if (i.flag) {
    mode = i.flag;
    why = `--${i.flag} given`;
  } else if (env !== "") {
    mode = env === "1" ? "online" : "offline";
    why = `FLY_K3S_USE_REGISTRY=${env}`;
  } else if (i.sources && i.sources.present.length > 0) {
    mode = "offline";
    why = `provider source archives in ${i.sources.dir} (${i.sources.origin})`;
  } else {
    mode = "online";
    why = i.sources
      ? `no provider source archive in ${i.sources.dir} (${i.sources.origin})`
      : "no provider source archives (FLY_K3S_PROVIDER_SOURCES unset, no ../shared/third_party beside the checkout)";
  }
  if (mode === "offline") {
    return {
      ok: true,
      mode,
      reason: `${why}: OpenTofu and the providers are built from source into the cache`,
    };
  }
  const hint = installTofuHint(i.platform)
    .map((l) => `  ${l}`)
    .join("\n");
  const offline = `or put the provider source archives (${i.archives.join(", ")}) in a directory and set FLY_K3S_PROVIDER_SOURCES to it for the offline mode`;
  if (!i.tofu) {
    return {
      ok: false,
      error: `${why}, so setup uses the online mode, which needs OpenTofu >= ${i.tofuMin} on PATH; there is no tofu on PATH. Install it, then run npm run setup again:\n${hint}\n${offline}.`,
    };
  }
  if (!i.tofu.version || !versionAtLeast(i.tofu.version, i.tofuMin)) {
    return {
      ok: false,
      error: `${why}, so setup uses the online mode, which needs OpenTofu >= ${i.tofuMin}; ${i.tofu.path} is ${i.tofu.version ? `OpenTofu ${i.tofu.version}` : "not an OpenTofu that says its version (tofu version -json)"}. Install a newer one, then run npm run setup again:\n${hint}`,
    };
  }
  return {
    ok: true,
    mode,
    reason: `${why}: OpenTofu ${i.tofu.version} from PATH (${i.tofu.path}), providers from the OpenTofu registry at the pinned versions; nothing is built`,
    tofu: i.tofu.path,
  };
}
