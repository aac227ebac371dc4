import { spawnSync } from "child_process";
import * as path from "path";
import {
  checkKernelScript,
  entrypointScript,
  renderScript,
  renumberScript,
  repoRoot,
} from "./helpers";

const scripts = [checkKernelScript, entrypointScript, renderScript, renumberScript];
const available = spawnSync("shellcheck", ["--version"]).status === 0;

// Install with `apt-get install -y shellcheck`; without it these are reported as skipped.
describe("node image shell scripts", () => {
  (available ? it.each : it.skip.each)(scripts.map((s) => [path.relative(repoRoot, s)]))(
    "%s is shellcheck-clean",
    (script) => {
      const result = spawnSync("shellcheck", ["--severity=style", script], {
        cwd: repoRoot,
        encoding: "utf8",
      });
      expect(result.stdout + result.stderr).toBe("");
      expect(result.status).toBe(0);
    },
  );
});
