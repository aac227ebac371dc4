/**
 * The stategraph/fly provider warns "flyctl not found" at every run unless it
 * finds flyctl; no fly-k3s resource needs it, so the toolchain points
 * FLYCTL_PATH at bin/no-flyctl when there is none (cli/toolchain.ts).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, flyctlEnv } from "../../cli/toolchain";

const NO_FLYCTL = path.join(ROOT, "bin", "no-flyctl");

describe("flyctlEnv", () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-fly-"));
  const withFly = fs.mkdtempSync(path.join(os.tmpdir(), "fly-"));
  fs.writeFileSync(path.join(withFly, "fly"), "#!/bin/sh\n", { mode: 0o755 });

  it.each([
    ["no flyctl on PATH", { PATH: empty }, { FLYCTL_PATH: NO_FLYCTL }],
    ["fly on PATH: the provider finds it", { PATH: withFly }, {}],
    ["FLYCTL_PATH set: kept", { PATH: empty, FLYCTL_PATH: "/opt/flyctl" }, {}],
  ])("%s", (_, env, expected) => {
    expect(flyctlEnv(env)).toEqual(expected);
  });

  it("bin/no-flyctl says why nothing needs it, and fails", () => {
    const r = spawnSync(NO_FLYCTL, ["version"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no resource of a fly-k3s stack needs it");
  });
});
