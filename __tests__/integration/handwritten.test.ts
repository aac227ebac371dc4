/**
 * A hand-written Terraform configuration (fixtures/handwritten/main.tf, not
 * synthesized by this project) applied, planned and destroyed by the real
 * OpenTofu and the real stategraph/fly provider against the local Fly.
 * Skipped, naming the provider, while `npm run setup` could not install it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { missingProviders, tofuAsync } from "../toolchain";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";

const missing = missingProviders(["fly"]);
if (missing.length > 0) {
  console.warn(
    `skipping the hand-written configuration: provider not installed: ${missing.join(", ")}`,
  );
}
const suite = missing.length === 0 ? describe : describe.skip;

jest.setTimeout(300_000);

suite("hand-written Terraform on the local Fly", () => {
  let fly: LocalFly;
  let work: string;
  let env: Record<string, string>;

  const tf = (...args: string[]) => tofuAsync([`-chdir=${work}`, ...args], env);

  beforeAll(async () => {
    fly = await startLocalFly();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-hw-"));
    fs.copyFileSync(
      path.join(__dirname, "../fixtures/handwritten/main.tf"),
      path.join(work, "main.tf"),
    );
    env = { FLY_API_URL: fly.emu.url, FLY_API_TOKEN: fly.emu.token, TF_VAR_image: TEST_IMAGE };
  });

  afterAll(async () => {
    await fly?.stop();
  });

  it("applies: app, two volumes in distinct zones, a machine with a mount, a secret", async () => {
    expect((await tf("init", "-input=false")).status).toBe(0);
    const apply = await tf("apply", "-input=false", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.status).toBe(0);
    const zones = JSON.parse((await tf("output", "-json", "zones")).stdout) as string[];
    expect(zones).toHaveLength(2);
    expect(new Set(zones).size).toBe(2);
    expect(fly.containers()).toHaveLength(1);
  });

  it("plans clean after apply", async () => {
    const plan = await tf("plan", "-input=false", "-detailed-exitcode");
    expect(plan.stdout).toContain("No changes");
    expect(plan.status).toBe(0);
  });

  it("destroys and leaves no container", async () => {
    expect((await tf("destroy", "-input=false", "-auto-approve")).status).toBe(0);
    expect(fly.containers()).toEqual([]);
  });
});
