/**
 * `npm run setup` as a user on a machine without the provider source
 * archives: a fresh copy of the checkout (node_modules linked, as npm ci would
 * make it), FLY_K3S_PROVIDER_SOURCES naming an empty directory, its own cache
 * and home, and OpenTofu on PATH (a copy of the one the offline setup built),
 * run as the unprivileged user nobody when this runs as root. It must choose
 * the online mode and say so, build nothing, change no system file, and
 * remember the mode so that the CLI's toolchain needs no variable.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requireToolchain } from "../toolchain";
import { inCache } from "../../cli/toolchain";

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, "..", "..");
const NOBODY = 65534;
const SYSTEM_FILES = [
  "/etc/containers/containers.conf",
  "/proc/sys/net/ipv6/conf/all/forwarding",
  ...(fs.existsSync("/proc/sys/net/ipv6/conf")
    ? fs.readdirSync("/proc/sys/net/ipv6/conf").map((d) => `/proc/sys/net/ipv6/conf/${d}/accept_ra`)
    : []),
];

const snapshot = () =>
  Object.fromEntries(
    SYSTEM_FILES.map((f) => [f, fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "(absent)"]),
  );

describe("npm run setup on a machine without the provider archives (online mode)", () => {
  let dir: string;
  let run: ReturnType<typeof spawnSync>;
  let before: Record<string, string>;
  let seconds: number;
  const asRoot = process.getuid?.() === 0;

  beforeAll(() => {
    requireToolchain();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-online-"));
    fs.chmodSync(dir, 0o755);
    const checkout = path.join(dir, "checkout");
    const skip = new Set(["node_modules", "cdktf.out", ".git", "coverage"]);
    fs.mkdirSync(checkout);
    for (const entry of fs.readdirSync(ROOT)) {
      if (skip.has(entry)) continue;
      fs.cpSync(path.join(ROOT, entry), path.join(checkout, entry), {
        recursive: true,
        filter: (src) => !path.basename(src).startsWith("zz-"),
      });
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(checkout, "node_modules"));
    for (const d of ["sources", "cache", "home", "bin"]) fs.mkdirSync(path.join(dir, d));
    // The built OpenTofu, copied: a home directory is seldom readable by another user.
    fs.copyFileSync(inCache("TOFU_BIN"), path.join(dir, "bin", "tofu"));
    fs.chmodSync(path.join(dir, "bin", "tofu"), 0o755);
    if (asRoot) spawnSync("chown", ["-R", `${NOBODY}:${NOBODY}`, dir], { stdio: "inherit" });

    const env = [
      `HOME=${path.join(dir, "home")}`,
      `PATH=${path.join(dir, "bin")}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      `FLY_K3S_PROVIDER_SOURCES=${path.join(dir, "sources")}`,
      `FLY_K3S_CACHE=${path.join(dir, "cache")}`,
    ];
    const as = asRoot
      ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"]
      : [];
    before = snapshot();
    const t0 = Date.now();
    const argv = [...as, "env", "-i", ...env, "npm", "run", "setup"];
    run = spawnSync(argv[0], argv.slice(1), { cwd: checkout, encoding: "utf8" });
    seconds = (Date.now() - t0) / 1000;
    fs.writeFileSync(
      path.join(os.tmpdir(), "fly-k3s-online-setup.log"),
      `as ${asRoot ? "nobody (uid 65534)" : "this user"}, ${seconds.toFixed(1)} s, exit ${run.status}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`,
    );
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("succeeds and says it chose the online mode, and why", () => {
    expect([run.status, run.stderr]).toEqual([
      0,
      expect.stringContaining("setup: online mode: no provider source archive in"),
    ]);
    expect(run.stdout).toContain("fly-k3s toolchain: online mode");
    expect(run.stdout).toContain("built nothing: OpenTofu from PATH");
  });

  it("builds nothing: the cache holds the remembered mode and no toolchain", () => {
    expect(fs.readdirSync(path.join(dir, "cache")).sort()).toEqual(["setup-mode"]);
    expect(run.stderr).not.toMatch(/building|apt-get|host-setup/);
  });

  it("changes no system file", () => {
    expect(snapshot()).toEqual(before);
    expect(run.stdout).toContain("local Fly: not set up, no system file changed");
  });

  it("remembers the mode for every later command", () => {
    const text = fs.readFileSync(path.join(dir, "cache", "setup-mode"), "utf8");
    expect(text).toContain("mode=online\n");
    expect(text).toContain(`tofu=${path.join(dir, "bin", "tofu")}\n`);
    expect(run.stderr).toContain("remembered online mode in");
  });

  it("takes seconds, not minutes", () => {
    expect(seconds).toBeLessThan(60);
  });
});
