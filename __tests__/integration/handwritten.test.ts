/**
 * Hand-written Terraform configurations (fixtures/, not synthesized by this
 * project) applied, planned and destroyed by the real OpenTofu and the real
 * stategraph/fly provider against the local Fly: a small app, and the
 * provider's two known Fly bugs reproduced by plain configurations that do not
 * route around them (the stack's routes are exercised in local-stack.test.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { setTimeout as sleep } from "node:timers/promises";
import { requireToolchain, tofuAsync } from "../toolchain";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";

jest.setTimeout(300_000);

const FIXTURES = path.join(__dirname, "../fixtures");

describe("hand-written Terraform on the local Fly", () => {
  let fly: LocalFly;
  let env: Record<string, string>;

  /** A scratch copy of fixtures/<name> and a tofu runner in it. */
  function workspace(name: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-hw-"));
    fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
    return (...args: string[]) => tofuAsync([`-chdir=${dir}`, ...args], env);
  }

  beforeAll(async () => {
    requireToolchain();
    fly = await startLocalFly();
    env = { FLY_API_URL: fly.emu.url, FLY_API_TOKEN: fly.emu.token, TF_VAR_image: TEST_IMAGE };
  });

  afterAll(async () => {
    await fly?.stop();
  });

  describe("an app with volumes, a machine and a secret", () => {
    const tf = workspace("handwritten");

    it("applies: app, two volumes in distinct zones, a machine with a mount, a secret", async () => {
      expect((await tf("init", "-input=false")).status).toBe(0);
      const apply = await tf("apply", "-input=false", "-auto-approve", "-no-color");
      expect(apply.stderr).toBe("");
      expect(apply.status).toBe(0);
      const zones = JSON.parse((await tf("output", "-json", "zones")).stdout) as string[];
      expect(zones).toHaveLength(2);
      expect(new Set(zones).size).toBe(2);
      expect(fly.containers()).toHaveLength(1);
    });

    it("plans clean after apply", async () => {
      const plan = await tf("plan", "-input=false", "-detailed-exitcode", "-no-color");
      expect(plan.stdout).toContain("No changes");
      expect(plan.status).toBe(0);
    });

    it("destroys and leaves no app, volume or container", async () => {
      // Fly answers a machine delete while the machine is still `destroying`,
      // so the plain provider's volume delete can meet 412 (still attached):
      // then, and only then, a second destroy, through the project's pacer,
      // finishes the job.
      const first = await tf("destroy", "-input=false", "-auto-approve", "-no-color");
      if (first.status !== 0) {
        const errors = [...(first.stdout + first.stderr).matchAll(/Error: (.*)/g)].map((m) => m[1]);
        expect(errors.length).toBeGreaterThan(0);
        expect(errors.every((e) => /deleting volume/i.test(e))).toBe(true);
        expect(first.stdout + first.stderr).toMatch(/status 412/);
        // The project's route: the pacer waits until the machines are destroyed.
        env.FLY_API_URL = fly.pacedUrl;
        expect((await tf("destroy", "-input=false", "-auto-approve")).status).toBe(0);
        env.FLY_API_URL = fly.emu.url;
      }
      expect(fly.containers()).toEqual([]);
      const apps = (await fly.api().request<{ apps: unknown[] }>("GET", "/apps?org_slug=personal"))
        .apps;
      expect(apps).toEqual([]);
    });
  });

  describe("the provider's known Fly bugs, without the project's routes", () => {
    it("bug 1: a volume declared with auto_backup_enabled = false fails after apply", async () => {
      const tf = workspace("provider-bugs/volume-backup");
      expect((await tf("init", "-input=false")).status).toBe(0);
      const apply = await tf("apply", "-input=false", "-auto-approve", "-no-color");
      expect(apply.status).toBe(1);
      expect(apply.stderr).toContain("Provider produced inconsistent result after apply");
      expect(apply.stderr.replace(/\s+/g, " ")).toMatch(
        /\.auto_backup_enabled: was cty\.False, but now cty\.True/,
      );
      expect((await tf("destroy", "-input=false", "-auto-approve")).status).toBe(0);
    });

    it("bug 2: an in-place machine update is refused with Fly's lease error", async () => {
      const tf = workspace("provider-bugs/machine-update");
      expect((await tf("init", "-input=false")).status).toBe(0);
      expect((await tf("apply", "-input=false", "-auto-approve")).status).toBe(0);
      const update = await tf(
        "apply",
        "-input=false",
        "-auto-approve",
        "-no-color",
        "-var",
        "memory_mb=512",
      );
      expect(update.status).toBe(1);
      expect(update.stdout).toContain("~ update in-place");
      const err = update.stderr.replace(/\s+/g, " ");
      expect(err).toMatch(
        /fly api error \(status 409\): aborted: machine ID [0-9a-f]{14} lease currently held by \S+, expires at /,
      );
      // The provider leaves its own lease behind (60 s): until it expires the
      // machine cannot be stopped or destroyed either, as on Fly.
      const early = await tf("destroy", "-input=false", "-auto-approve", "-no-color");
      expect(early.status).toBe(1);
      expect(early.stderr.replace(/\s+/g, " ")).toMatch(/lease currently held by/);
      const deadline = Date.now() + 90_000;
      let destroy = early;
      while (destroy.status !== 0 && Date.now() < deadline) {
        await sleep(10_000);
        destroy = await tf("destroy", "-input=false", "-auto-approve", "-no-color");
      }
      expect(destroy.stderr).toBe("");
      expect(destroy.status).toBe(0);
      expect(fly.containers()).toEqual([]);
    });
  });
});
