/**
 * The real toolchain: OpenTofu built by `npm run setup`, and `tofu init` +
 * `tofu validate` of every synthesized stack with the real providers, built
 * from their pinned source archives and served from the local mirror. A
 * missing tool fails these tests with the reason; none is skipped.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { copyClusters, synthIn } from "./scratch-clusters";
import { requireToolchain, tofu, toolchainVar } from "./toolchain";

describe("OpenTofu toolchain", () => {
  beforeAll(() => requireToolchain());

  it("runs the pinned OpenTofu through npm run tofu", () => {
    const r = tofu(["version"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(`OpenTofu v${toolchainVar("TOFU_VERSION")}`);
  });

  it("inits and validates every synthesized stack with the pinned providers from the mirror", () => {
    // Synthesize from a copy of clusters/, so no other test's scratch cluster is picked up.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-tofu-"));
    copyClusters(out);
    const synth = synthIn(out);
    if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
    const stacks = fs.readdirSync(path.join(out, "cdktf.out", "stacks"));
    expect(stacks.sort()).toEqual(["fly-k3s-poc", "local"]);
    const flyVersion = toolchainVar("FLY_PROVIDER_VERSION");
    const nullVersion = toolchainVar("NULL_PROVIDER_VERSION");
    for (const s of stacks) {
      const dir = path.join(out, "cdktf.out", "stacks", s);
      const init = tofu([`-chdir=${dir}`, "init", "-input=false", "-no-color"]);
      expect(init.stderr).toBe("");
      expect(init.status).toBe(0);
      // Served from the filesystem mirror ("unauthenticated": no registry signature), at the pinned versions.
      expect(init.stdout).toContain(`- Installed stategraph/fly v${flyVersion} (unauthenticated)`);
      expect(init.stdout).toContain(`- Installed hashicorp/null v${nullVersion} (unauthenticated)`);
      const validate = tofu([`-chdir=${dir}`, "validate", "-json"]);
      expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, error_count: 0 });
      const providers = tofu([`-chdir=${dir}`, "providers", "-no-color"]);
      expect(providers.stderr).toBe("");
      expect(providers.stdout).toContain(
        `provider[registry.opentofu.org/stategraph/fly] ${flyVersion}`,
      );
      expect(providers.stdout).toContain(
        `provider[registry.opentofu.org/hashicorp/null] ${nullVersion}`,
      );
    }
  }, 300000);
});
