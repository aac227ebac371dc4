/**
 * The real toolchain: OpenTofu built by `npm run setup`, and `tofu init` +
 * `tofu validate` of every synthesized stack with the real providers from the
 * local mirror. Providers the mirror lacks (see `npm run setup`) make the
 * validate tests skip, naming the missing provider.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { copyClusters, synthIn } from "./scratch-clusters";
import { missingProviders, tofu, toolchainVar } from "./toolchain";

const missing = missingProviders();

describe("OpenTofu toolchain", () => {
  it("runs the pinned OpenTofu through npm run tofu", () => {
    const r = tofu(["version"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(`OpenTofu v${toolchainVar("TOFU_VERSION")}`);
  });

  const withProviders = missing.length === 0 ? it : it.skip;
  if (missing.length > 0) {
    console.warn(
      `skipping tofu init/validate: provider(s) not installed: ${missing.join(", ")} (npm run setup says why)`,
    );
  }

  withProviders(
    "validates every synthesized stack with the real providers",
    () => {
      // Synthesize from a copy of clusters/, so no other test's scratch cluster is picked up.
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-tofu-"));
      copyClusters(out);
      const synth = synthIn(out);
      expect(synth.status).toBe(0);
      const stacks = fs.readdirSync(path.join(out, "cdktf.out", "stacks"));
      expect(stacks.length).toBeGreaterThan(0);
      for (const s of stacks) {
        const dir = path.join(out, "cdktf.out", "stacks", s);
        const init = tofu([`-chdir=${dir}`, "init", "-input=false", "-backend=false"]);
        expect(init.stderr).toBe("");
        const validate = tofu([`-chdir=${dir}`, "validate", "-json"]);
        expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, error_count: 0 });
        const providers = tofu([`-chdir=${dir}`, "providers"]);
        expect(providers.stdout).toContain("provider[registry.opentofu.org/stategraph/fly]");
      }
    },
    300000,
  );
});
