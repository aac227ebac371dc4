import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.join(__dirname, "..");

/** Prefix of the short-lived cluster directories k3s-sh.test.ts makes under clusters/. */
export const TEST_CLUSTER_PREFIX = "zz-k3s-sh-test-";

/** Copies the checkout's clusters/ into `dest`, leaving out scratch clusters (tests', bench's, reliability's: all `zz-`). */
export function copyClusters(dest: string): void {
  fs.cpSync(path.join(ROOT, "clusters"), path.join(dest, "clusters"), {
    recursive: true,
    filter: (src) => !path.basename(src).startsWith("zz-"),
  });
}

/**
 * Runs main.ts as `cdktf synth` would, in `cwd` (which holds a clusters/
 * directory), writing to `<cwd>/cdktf.out` and keeping state under `<cwd>/state`.
 */
export function synthIn(cwd: string, env: Record<string, string> = {}) {
  const outdir = path.join(cwd, "cdktf.out");
  const r = spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(ROOT, "main.ts")],
    {
      cwd,
      encoding: "utf8",
      env: {
        ...process.env,
        NODE_PATH: path.join(ROOT, "node_modules"),
        TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
        CDKTF_OUTDIR: outdir,
        FLY_K3S_STATE_DIR: path.join(cwd, "state"),
        ...env,
      },
    },
  );
  return { ...r, outdir };
}
