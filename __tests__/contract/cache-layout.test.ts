import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  CACHE_LAYOUT,
  CACHE_LAYOUT_SCRIPT_PATH,
  CachePath,
  cacheLayoutScript,
  cachePath,
  cacheRoot,
} from "../../contract/cache-layout";
import { toolchainVar } from "../../cli/toolchain";

const ROOT = path.join(__dirname, "..", "..");
const names = Object.keys(CACHE_LAYOUT) as CachePath[];

/** What the shell side makes of the layout, given an environment. */
function shellLayout(env: Record<string, string>): Record<string, string> {
  const script = [
    `. ${JSON.stringify(path.join(ROOT, "scripts/toolchain.env"))}`,
    `. ${JSON.stringify(path.join(ROOT, CACHE_LAYOUT_SCRIPT_PATH))}`,
    ...["CACHE_DIR", ...names].map((n) => `printf '%s=%s\\n' ${n} "$${n}"`),
  ].join("\n");
  const r = spawnSync("bash", ["-c", script], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  expect(r.stderr).toBe("");
  return Object.fromEntries(
    r.stdout
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

describe("the cache layout (contract/cache-layout.ts)", () => {
  it(`${CACHE_LAYOUT_SCRIPT_PATH} is what the table writes`, () => {
    const committed = fs.readFileSync(path.join(ROOT, CACHE_LAYOUT_SCRIPT_PATH), "utf8");
    // On failure: npx ts-node --transpile-only scripts/write-cache-layout.ts
    expect(committed).toBe(cacheLayoutScript());
  });

  it.each<[string, Record<string, string>]>([
    ["FLY_K3S_CACHE", { HOME: "/h", FLY_K3S_CACHE: "/c", XDG_CACHE_HOME: "/x" }],
    ["XDG_CACHE_HOME", { HOME: "/h", XDG_CACHE_HOME: "/x" }],
    ["HOME alone", { HOME: "/h" }],
    ["empty settings (unset)", { HOME: "/h", FLY_K3S_CACHE: "", XDG_CACHE_HOME: "" }],
  ])("gives the shell the same paths as the CLI: %s", (_what, env) => {
    const root = cacheRoot(env, env.HOME);
    const shell = shellLayout(env);
    expect(shell.CACHE_DIR).toBe(root);
    for (const n of names) expect([n, shell[n]]).toEqual([n, cachePath(root, n, toolchainVar)]);
  });

  it("keeps every cache path of the scripts in the table", () => {
    // Temporary work directories are the scripts' own; everything else in the
    // cache is named by scripts/cache-layout.sh.
    const scripts = fs.readdirSync(path.join(ROOT, "scripts")).filter((f) => f.endsWith(".sh"));
    const stray = scripts.flatMap((f) =>
      fs
        .readFileSync(path.join(ROOT, "scripts", f), "utf8")
        .split("\n")
        .filter((l) => /\$\{?CACHE_DIR\}?\//.test(l) && !/CACHE_DIR\/[a-z-]*src\.X+/.test(l))
        .filter(() => f !== path.basename(CACHE_LAYOUT_SCRIPT_PATH))
        .map((l) => `scripts/${f}: ${l.trim()}`),
    );
    expect(stray).toEqual([]);
  });
});
