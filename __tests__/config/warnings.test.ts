import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkConfigText } from "../../config/load";

const ROOT = path.join(__dirname, "../..");
const EXAMPLE = fs.readFileSync(path.join(ROOT, "clusters/fly-k3s-poc/config"), "utf8");
const FILE = "clusters/fly-k3s-poc/config";
const SHARED_CP = EXAMPLE.replace("CP_VM_SIZE=performance-4x", "CP_VM_SIZE=shared-cpu-8x").replace(
  "CP_VM_MEMORY=16384",
  "CP_VM_MEMORY=8192",
);
const SHARED_WARNING =
  "CP_VM_SIZE: shared-cpu-8x is a shared-CPU size: etcd on the control plane is throttled to 1/16 of a CPU once its burst balance is spent, which causes leader elections and API timeouts; use performance-1x or larger for a cluster that matters";

describe("checkConfigText warnings", () => {
  it("has none for the example (performance control plane)", () => {
    expect(checkConfigText(FILE, EXAMPLE).warnings).toEqual([]);
  });

  it("warns, on CP_VM_SIZE's line, about a shared-CPU control plane and still returns the config", () => {
    const { config, warnings } = checkConfigText(FILE, SHARED_CP);
    expect(config.controlPlane).toMatchObject({ size: "shared-cpu-8x", cpuKind: "shared" });
    expect(warnings).toEqual([
      { line: 11, key: "CP_VM_SIZE", message: SHARED_WARNING.replace("CP_VM_SIZE: ", "") },
    ]);
  });

  it("does not warn about shared-CPU workers", () => {
    const text = EXAMPLE.replace(
      "WORKER_VM_SIZE=performance-2x",
      "WORKER_VM_SIZE=shared-cpu-4x",
    ).replace("WORKER_VM_MEMORY=16384", "WORKER_VM_MEMORY=4096");
    expect(checkConfigText(FILE, text).warnings).toEqual([]);
  });
});

// bin/check.ts runs on import, so it is run as `npm run check` runs it.
describe("npm run check (bin/check.ts)", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-check-"));
    for (const [name, text] of [
      ["shared", SHARED_CP],
      ["broken", EXAMPLE.replace("REGION=sjc", "REGION=xxx")],
    ]) {
      fs.mkdirSync(path.join(dir, "clusters", name), { recursive: true });
      fs.writeFileSync(path.join(dir, "clusters", name, "config"), text);
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        require.resolve("ts-node/dist/bin"),
        "--transpile-only",
        path.join(ROOT, "bin/check.ts"),
        ...args,
      ],
      { cwd: dir, encoding: "utf8", timeout: 60_000 },
    );

  it("prints a warning line and exits 0 when the config is valid", () => {
    const result = check("clusters/shared");
    expect(result.stderr).toBe(`warning: clusters/shared/config:11: ${SHARED_WARNING}\n`);
    expect(result.stdout).toBe("clusters/shared/config: ok (cluster fly-k3s-poc)\n");
    expect(result.status).toBe(0);
  });

  it("exits 1 on errors", () => {
    const result = check("clusters/broken");
    expect(result.stderr).toContain("clusters/broken/config:5: REGION: must be a Fly region code");
    expect(result.status).toBe(1);
  });
});
