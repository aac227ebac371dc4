/**
 * `npm run setup`'s choice of toolchain (scripts/setup-decisions.ts decides;
 * this file looks at the machine and remembers the choice in the cache,
 * SETUP_MODE_FILE, which cli/toolchain.ts reads):
 *
 *   setup-mode.ts decide [--online|--offline]   prints "MODE<TAB>REASON<TAB>TOFU" on stdout
 *   setup-mode.ts remember MODE REASON [TOFU]   writes the choice
 *
 * Reads FLY_K3S_USE_REGISTRY and FLY_K3S_PROVIDER_SOURCES.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cachePath, cacheRoot } from "../contract/cache-layout";
import {
  RememberedSetup,
  SETUP_MODES,
  SetupMode,
  formatSetupMode,
  parseSetupMode,
} from "../contract/setup-mode";
import { ModeInputs, chooseMode } from "./setup-decisions";

const ROOT = path.resolve(__dirname, "..");

function toolchainVar(name: string): string {
  const text = fs.readFileSync(path.join(ROOT, "scripts/toolchain.env"), "utf8");
  const m = new RegExp(`^${name}=(.*)$`, "m").exec(text);
  if (!m) throw new Error(`${name} is not set in scripts/toolchain.env`);
  return m[1];
}

const modeFile = () =>
  cachePath(cacheRoot(process.env, os.homedir()), "SETUP_MODE_FILE", toolchainVar);

function sources(archives: string[]): ModeInputs["sources"] {
  let dir: string;
  let origin: string;
  if (process.env.FLY_K3S_PROVIDER_SOURCES) {
    dir = process.env.FLY_K3S_PROVIDER_SOURCES;
    origin = "FLY_K3S_PROVIDER_SOURCES";
  } else if (fs.existsSync(path.join(ROOT, "..", "shared", "third_party"))) {
    dir = fs.realpathSync(path.join(ROOT, "..", "shared", "third_party"));
    origin = "../shared/third_party beside the checkout";
  } else {
    return undefined;
  }
  return { dir, origin, present: archives.filter((a) => fs.existsSync(path.join(dir, a))) };
}

function tofuOnPath(): ModeInputs["tofu"] {
  const found = (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((d) => d && path.join(d, "tofu"))
    .find((p) => p && fs.existsSync(p));
  if (!found) return undefined;
  // OpenTofu prints CLI-configuration warnings on stdout too: take the JSON object.
  const r = spawnSync(found, ["version", "-json"], { encoding: "utf8", timeout: 30_000 });
  const json = /\{[\s\S]*\}/.exec(r.stdout ?? "")?.[0];
  let version: string | undefined;
  try {
    version = json
      ? (JSON.parse(json) as { terraform_version?: string }).terraform_version
      : undefined;
  } catch {
    version = undefined;
  }
  return { path: found, version };
}

function previous(): RememberedSetup | undefined {
  const file = modeFile();
  try {
    return parseSetupMode(fs.readFileSync(file, "utf8"), file);
  } catch {
    return undefined;
  }
}

function decide(args: string[]): number {
  let flag: SetupMode | undefined;
  for (const a of args) {
    const m = /^--(online|offline)$/.exec(a);
    if (!m) throw new Error(`unknown option ${a}`);
    if (flag && flag !== m[1]) throw new Error("give --online or --offline, not both");
    flag = m[1] as SetupMode;
  }
  const archives = [toolchainVar("FLY_PROVIDER_ARCHIVE"), toolchainVar("NULL_PROVIDER_ARCHIVE")];
  const choice = chooseMode({
    flag,
    useRegistry: process.env.FLY_K3S_USE_REGISTRY,
    sources: sources(archives),
    archives,
    tofu: tofuOnPath(),
    tofuMin: toolchainVar("ONLINE_TOFU_MIN"),
    platform: process.platform,
  });
  if (!choice.ok) {
    process.stderr.write(`error: ${choice.error}\n`);
    return 1;
  }
  const was = previous();
  const change = was && was.mode !== choice.mode ? ` (was ${was.mode})` : "";
  process.stderr.write(`setup: ${choice.mode} mode${change}: ${choice.reason}\n`);
  process.stdout.write(`${choice.mode}\t${choice.reason}\t${choice.tofu ?? ""}\n`);
  return 0;
}

function remember(args: string[]): number {
  const [mode, reason, tofu] = args;
  if (!SETUP_MODES.includes(mode as SetupMode) || reason === undefined) {
    throw new Error("usage: setup-mode.ts remember offline|online REASON [TOFU]");
  }
  const file = modeFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = formatSetupMode({ mode: mode as SetupMode, reason, ...(tofu ? { tofu } : {}) });
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
  process.stderr.write(
    `setup: remembered ${mode} mode in ${file}; ./k3s.sh, npm run cdktf and npm run tofu use it (FLY_K3S_USE_REGISTRY=1 or 0 overrides it for one command)\n`,
  );
  return 0;
}

try {
  const [cmd, ...rest] = process.argv.slice(2);
  process.exitCode =
    cmd === "decide"
      ? decide(rest)
      : cmd === "remember"
        ? remember(rest)
        : (process.stderr.write(
            "usage: setup-mode.ts decide [--online|--offline] | remember MODE REASON [TOFU]\n",
          ),
          2);
} catch (e) {
  process.stderr.write(`setup: error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
