/**
 * k3s.sh argument handling: everything that must fail before anything is
 * started or created.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TEST_CLUSTER_PREFIX } from "./scratch-clusters";

const ROOT = path.join(__dirname, "..");

function k3s(args: string[], env: Record<string, string> = {}) {
  return spawnSync("bash", [path.join(ROOT, "k3s.sh"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    // A Fly token makes sure nothing would start the local emulator.
    env: { ...process.env, FLY_API_TOKEN: "test", FLY_API_URL: "http://127.0.0.1:9/v1", ...env },
  });
}

/** A broken cluster directory under clusters/ (k3s.sh only takes those), removed after the test. */
function withBrokenCluster(fn: (dir: string) => void): void {
  const dir = `clusters/${TEST_CLUSTER_PREFIX}${process.pid}`;
  fs.mkdirSync(path.join(ROOT, dir));
  try {
    const text = fs.readFileSync(path.join(ROOT, "clusters/local/config"), "utf8");
    fs.writeFileSync(
      path.join(ROOT, dir, "config"),
      text.replace("VOLUME_SIZE=5", "VOLUME_SIZE=five"),
    );
    fn(dir);
  } finally {
    fs.rmSync(path.join(ROOT, dir), { recursive: true, force: true });
  }
}

describe("k3s.sh", () => {
  it("prints the flags with -h", () => {
    const r = k3s(["-h"]);
    expect(r.status).toBe(0);
    for (const flag of [
      "-c, --create",
      "-a, --add GROUP",
      "-k, --kubeconfig",
      "-t, --taint",
      "-l, --list cp|GROUP",
      "-s, --shell cp|GROUP",
      "-p, --plan",
      "-d, --destroy",
      "--drift",
      "--status",
      "BOOTSTRAP_NODE_ID",
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it("needs an action and exactly one cluster directory", () => {
    expect(k3s([]).status).toBe(2);
    expect(k3s(["-c"]).stderr).toContain("give exactly one cluster directory");
    expect(k3s(["-x", "clusters/local"]).stderr).toContain("Unknown option '-x'");
    expect(k3s(["-c", "-p", "clusters/local"]).stderr).toContain(
      "give one action, not --create and --plan",
    );
    expect(k3s(["-c", "clusters/nope"]).stderr).toContain("clusters/nope/config not found");
  });

  it("stops on an invalid config with file:line: KEY", () => {
    withBrokenCluster((dir) => {
      const r = k3s(["-c", `${dir}/`]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        `${dir}/config:9: VOLUME_SIZE: must be a whole number (got "five")`,
      );
      expect(r.stderr).not.toContain("target:");
    });
  });

  it("takes only directories under clusters/", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-sh-"));
    fs.copyFileSync(path.join(ROOT, "clusters/local/config"), path.join(dir, "config"));
    const r = k3s(["-c", dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${dir} is not under ${ROOT}/clusters/`);
  });

  it("refuses a bad node group id without recording it", () => {
    const before = fs.existsSync(path.join(ROOT, "clusters/local/node-groups"));
    const r = k3s(["-a", "Big_Group", "clusters/local"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'error: node group id "Big_Group" must be 1 to 8 lowercase letters or digits',
    );
    expect(fs.existsSync(path.join(ROOT, "clusters/local/node-groups"))).toBe(before);
  });

  it("refuses to list a node group that is not recorded", () => {
    const r = k3s(["-l", "7", "clusters/local"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("node group 7 is not recorded in clusters/local/node-groups");
  });

  it("checks BOOTSTRAP_NODE_ID", () => {
    const r = k3s(["-k", "clusters/local"], { BOOTSTRAP_NODE_ID: "3" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('BOOTSTRAP_NODE_ID must be 0 to 2 (got "3")');
  });

  describe("on a node image without k3s (clusters/local's test image), before anything starts", () => {
    const NO_K8S =
      "no Kubernetes is running: the node image localhost/fly-emulator-test:latest is the local Fly's test image, which holds no k3s";

    it.each([
      ["-k", "there is no kubeconfig to write (k3s writes it on the servers); nothing was done"],
      ["-t", "there is no control plane to taint; nothing was done"],
    ])("%s says so, as -c does, and exits 3", (flag, consequence) => {
      const envs: Record<string, string>[] = [
        {},
        { FLY_API_TOKEN: "", FLY_K3S_EMULATOR_PORT: "9" },
      ];
      for (const env of envs) {
        const r = k3s([flag, "clusters/local"], env);
        expect(r.stderr).toContain(NO_K8S);
        expect(r.stderr).toContain(consequence);
        expect(r.stderr).not.toContain("target:");
        expect(r.stderr).not.toContain("starting the local Fly");
        expect(r.status).toBe(3);
      }
    });

    it("-s says so, then opens the shell anyway (here: refused for want of flyctl)", () => {
      const r = k3s(["-s", "cp", "clusters/local"], {
        PATH: path.dirname(process.execPath) + ":/usr/bin:/bin",
      });
      expect(r.stderr).toContain(NO_K8S);
      expect(r.stderr).toContain("the shell opens on a machine where neither k3s nor kubectl runs");
      expect(r.stderr).toContain("-s needs flyctl (fly) on PATH for Fly.io");
    });
  });

  it("checks the toolchain before it would start the local Fly", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-sh-cache-"));
    const r = k3s(["-c", "clusters/local"], {
      FLY_API_TOKEN: "",
      FLY_K3S_CACHE: empty,
      FLY_K3S_USE_REGISTRY: "",
      FLY_K3S_EMULATOR_DIR: path.join(empty, "emulator"),
      FLY_K3S_EMULATOR_PORT: "9",
      FLY_EMULATOR_PODMAN: "/nonexistent/podman",
    });
    expect(r.stderr).toContain("fly-k3s is not set up on this machine yet: run npm run setup");
    expect(r.stderr).not.toContain("starting the local Fly");
    expect(r.status).toBe(1);
  });
});
