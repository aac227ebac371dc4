/**
 * Which toolchain this machine uses, as `npm run setup` chose it and every
 * later command reads it: `offline` (OpenTofu and the providers built from
 * source into the cache, served from a filesystem mirror) or `online`
 * (OpenTofu from PATH, the providers from the OpenTofu registry). The set-up
 * (scripts/setup-mode.ts) writes the file, `SETUP_MODE_FILE` in
 * contract/cache-layout.ts; the CLI (cli/toolchain.ts) reads it, so no later
 * command needs an environment variable. FLY_K3S_USE_REGISTRY=1 (online) or
 * =0 (offline) overrides it for one command. Pure.
 */

export const SETUP_MODES = ["offline", "online"] as const;
export type SetupMode = (typeof SETUP_MODES)[number];

/** What `npm run setup` remembers. */
export interface RememberedSetup {
  readonly mode: SetupMode;
  /** Why it chose the mode, in the words setup printed. */
  readonly reason: string;
  /** Online: the OpenTofu setup checked (used when `tofu` is no longer on PATH). */
  readonly tofu?: string;
}

const HEADER =
  "# fly-k3s: the toolchain `npm run setup` chose (scripts/setup-mode.ts); read by ./k3s.sh, npm run cdktf and npm run tofu.";

/** The file's text: a comment and KEY=VALUE lines. Pure. */
export function formatSetupMode(s: RememberedSetup): string {
  const one = (v: string) => v.replace(/[\r\n]+/g, " ");
  const lines = [HEADER, `mode=${s.mode}`, `reason=${one(s.reason)}`];
  if (s.tofu) lines.push(`tofu=${one(s.tofu)}`);
  return lines.join("\n") + "\n";
}

/** The file read back; throws, naming the line, on a mode it does not know. Pure. */
export function parseSetupMode(text: string, file = "setup-mode"): RememberedSetup {
  const values = new Map<string, string>();
  text.split("\n").forEach((line) => {
    if (/^\s*(#|$)/.test(line)) return;
    const eq = line.indexOf("=");
    if (eq > 0) values.set(line.slice(0, eq).trim(), line.slice(eq + 1));
  });
  const mode = values.get("mode");
  if (!SETUP_MODES.includes(mode as SetupMode)) {
    throw new Error(
      `${file}: mode=${mode ?? ""} is not one of ${SETUP_MODES.join(", ")}; run npm run setup again`,
    );
  }
  const tofu = values.get("tofu");
  return { mode: mode as SetupMode, reason: values.get("reason") ?? "", ...(tofu ? { tofu } : {}) };
}

/** The environment variable that overrides the remembered mode for one command. */
export const USE_REGISTRY_ENV = "FLY_K3S_USE_REGISTRY";

/**
 * The mode a command runs in: FLY_K3S_USE_REGISTRY=1 or =0 when set, else
 * what setup remembered, else undefined (setup has not run). Throws on any
 * other value of the variable. Pure.
 */
export function effectiveMode(
  env: { readonly [USE_REGISTRY_ENV]?: string },
  remembered: RememberedSetup | undefined,
): { mode: SetupMode; source: string } | undefined {
  const v = env[USE_REGISTRY_ENV];
  if (v === "1") return { mode: "online", source: `${USE_REGISTRY_ENV}=1` };
  if (v === "0") return { mode: "offline", source: `${USE_REGISTRY_ENV}=0` };
  if (v) {
    throw new Error(
      `${USE_REGISTRY_ENV}=${v}: expected 1 (online: OpenTofu from PATH, providers from the registry) or 0 (offline: the toolchain npm run setup built); unset it to use what npm run setup chose`,
    );
  }
  return remembered ? { mode: remembered.mode, source: "chosen by npm run setup" } : undefined;
}
