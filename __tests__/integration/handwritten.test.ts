/**
 * A hand-written Terraform configuration (fixtures/handwritten/main.tf, not
 * synthesized by this project) applied, planned and destroyed by the real
 * OpenTofu and the real stategraph/fly provider against the local Fly.
 * Skipped, naming the provider, while `npm run setup` could not install it.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RunningEmulator, resetEmulator, startEmulator } from "../../emulator";
import { ROOT, missingProviders, tofu } from "../toolchain";

const IMAGE = "localhost/fly-emulator-test:latest";
const missing = missingProviders(["fly"]);
if (missing.length > 0) {
  console.warn(
    `skipping the hand-written configuration: provider not installed: ${missing.join(", ")}`,
  );
}
const suite = missing.length === 0 ? describe : describe.skip;

jest.setTimeout(300_000);

suite("hand-written Terraform on the local Fly", () => {
  let emu: RunningEmulator;
  let stateDir: string;
  let work: string;
  let env: Record<string, string>;

  const tf = (...args: string[]) => tofu([`-chdir=${work}`, ...args], env);
  const leftovers = (kind: "container" | "volume" | "network") =>
    execFileSync(
      "podman",
      [
        kind,
        "ls",
        ...(kind === "container" ? ["-a"] : []),
        "-q",
        "--filter",
        `label=io.fly-k3s.emulator.instance=${emu.instance}`,
      ],
      { encoding: "utf8" },
    ).trim();

  beforeAll(async () => {
    const built = spawnSync(
      "bash",
      [path.join(ROOT, "emulator/images/build-test-image.sh"), IMAGE],
      {
        encoding: "utf8",
      },
    );
    if (built.status !== 0) throw new Error(`test image: ${built.stderr}`);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-hw-emu-"));
    emu = await startEmulator({ port: 0, stateDir });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-hw-"));
    fs.copyFileSync(
      path.join(__dirname, "../fixtures/handwritten/main.tf"),
      path.join(work, "main.tf"),
    );
    env = { FLY_API_URL: emu.url, FLY_API_TOKEN: emu.token, TF_VAR_image: IMAGE };
  });

  afterAll(async () => {
    await emu?.close();
    if (stateDir) await resetEmulator(stateDir);
  });

  it("applies: app, two volumes in distinct zones, a machine with a mount, a secret", () => {
    expect(tf("init", "-input=false").status).toBe(0);
    const apply = tf("apply", "-input=false", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.status).toBe(0);
    const zones = JSON.parse(tf("output", "-json", "zones").stdout) as string[];
    expect(zones).toHaveLength(2);
    expect(new Set(zones).size).toBe(2);
    expect(leftovers("container")).not.toBe("");
  });

  it("plans clean after apply", () => {
    const plan = tf("plan", "-input=false", "-detailed-exitcode");
    expect(plan.stdout).toContain("No changes");
    expect(plan.status).toBe(0);
  });

  it("destroys and leaves no container, volume or network", () => {
    expect(tf("destroy", "-input=false", "-auto-approve").status).toBe(0);
    expect(leftovers("container")).toBe("");
    expect(leftovers("volume")).toBe("");
  });
});
