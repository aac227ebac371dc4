import { spawnSync } from "child_process";
import * as path from "path";
import {
  capabilitiesScript,
  checkKernelScript,
  entrypointScript,
  renderScript,
  renumberScript,
  repoRoot,
} from "./helpers";

const scripts = [
  checkKernelScript,
  entrypointScript,
  renderScript,
  renumberScript,
  capabilitiesScript,
];
// npm run setup installs shellcheck; without it these fail with that reason.
describe("node image shell scripts", () => {
  beforeAll(() => {
    if (spawnSync("shellcheck", ["--version"]).status !== 0) {
      throw new Error("shellcheck is not installed: run npm run setup");
    }
  });
  it.each(scripts.map((s) => [path.relative(repoRoot, s)]))("%s is shellcheck-clean", (script) => {
    // capabilities.sh says #!/bin/sh, so it is checked as POSIX sh.
    const result = spawnSync("shellcheck", ["--severity=style", script], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
