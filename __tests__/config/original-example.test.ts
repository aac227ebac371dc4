/**
 * The original fly-k3s tool's example cluster (fixtures/original-example/config,
 * its README's config with only K3S_VERSION raised) puts the IPv6 service range
 * inside the IPv6 pod range. Kubernetes allows that, so `npm run check` accepts it
 * with a warning; a service range covering the whole pod range stays an error.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { loadCluster } from "../../config/load";

const ROOT = path.join(__dirname, "../..");
const DIR = "__tests__/fixtures/original-example";
const TEXT = fs.readFileSync(path.join(ROOT, DIR, "config"), "utf8");
const RESERVED_WARNING = `${DIR}/config:6: SERVICE_CIDR: IPv6 service range dead:beef:1:1::/112 lies inside the IPv6 pod range dead:beef:1:0::/56 (CLUSTER_CIDR); kube-controller-manager reserves the node subnet dead:beef:1:1::/64 that holds it, so no node gets that subnet (255 of 256 node subnets left); pick a service range outside CLUSTER_CIDR to keep them all`;

describe("the original tool's example config", () => {
  it("loads without errors, with the reserved node subnet as a warning", () => {
    const { config, warnings } = loadCluster(path.join(ROOT, DIR), DIR);
    expect(config).toMatchObject({
      clusterCidr: { value: "dead:beef:1:0::/56,10.1.0.0/16" },
      serviceCidr: { value: "dead:beef:1:1::/112,10.2.0.0/16" },
      clusterDns: "dead:beef:1:1::10",
      k3sVersion: "v1.36.3+k3s1",
    });
    expect(warnings).toContain(RESERVED_WARNING);
    // Only the address plan and the placeholder org may warn about it.
    expect(warnings.filter((w) => !/: (SERVICE_CIDR|ORG_NAME): /.test(w))).toEqual([]);
  });

  describe("with a service range covering the pod range", () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-covering-"));
      fs.writeFileSync(path.join(dir, "config"), TEXT.replace("10.2.0.0/16", "10.0.0.0/8"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("fails with a file:line: SERVICE_CIDR error", () => {
      let error: unknown;
      try {
        loadCluster(dir, "clusters/covering");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(
        'clusters/covering/config:6: SERVICE_CIDR: IPv4 service range 10.0.0.0/8 holds the whole IPv4 pod range 10.1.0.0/16 (CLUSTER_CIDR); kube-controller-manager reserves every node subnet that holds service addresses, so no node gets a pod subnet ("no remaining CIDRs left to allocate"); pick a service range outside CLUSTER_CIDR',
      );
    });
  });

  // bin/check.ts runs on import, so it is run as `npm run check` runs it.
  it("passes `npm run check` (exit 0) and prints the warning on stderr", () => {
    const result = spawnSync(
      process.execPath,
      [require.resolve("ts-node/dist/bin"), "--transpile-only", "bin/check.ts", DIR],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    expect(result.stdout).toBe(`${DIR}/config: ok (cluster fly-k3s-poc)\n`);
    expect(result.stderr.split("\n")).toContain(`warning: ${RESERVED_WARNING}`);
    expect(result.status).toBe(0);
  });
});
