import * as fs from "fs";
import * as path from "path";
import {
  checkKernelScript,
  datastoreScript,
  entrypointScript,
  imageDir,
  kernelFragment,
  renderScript,
  renumberScript,
  run,
  tempDir,
  writeKernelConfig,
} from "./helpers";

// The entrypoint stops before touching the machine (mounts, /etc/rancher, k3s)
// when the kernel check fails, so that path can run here. The image layout is
// rebuilt in a temporary directory, and a fake `k3s` on PATH records any call.
describe("images/k3s-node/entrypoint.sh", () => {
  let dir: string;
  let image: string;
  let bin: string;
  let k3sCalled: string;

  beforeAll(() => {
    dir = tempDir("entrypoint");
    image = path.join(dir, "opt", "fly-k3s");
    bin = path.join(dir, "bin");
    k3sCalled = path.join(dir, "k3s-called");
    fs.mkdirSync(path.join(image, "kernel"), { recursive: true });
    fs.mkdirSync(bin);
    fs.copyFileSync(entrypointScript, path.join(image, "entrypoint.sh"));
    fs.copyFileSync(renderScript, path.join(image, "render-config.sh"));
    fs.copyFileSync(
      path.join(imageDir, "render-snapshots.sh"),
      path.join(image, "render-snapshots.sh"),
    );
    fs.copyFileSync(renumberScript, path.join(image, "renumber.sh"));
    fs.copyFileSync(datastoreScript, path.join(image, "datastore.sh"));
    fs.copyFileSync(path.join(imageDir, "node-env.sh"), path.join(image, "node-env.sh"));
    fs.copyFileSync(checkKernelScript, path.join(image, "kernel", "check-kernel.sh"));
    fs.copyFileSync(kernelFragment, path.join(image, "kernel", "k3s-fly.config"));
    fs.writeFileSync(path.join(bin, "k3s"), `#!/bin/sh\necho "$@" > '${k3sCalled}'\n`, {
      mode: 0o755,
    });
    // The peer probe: "pong" when FAKE_PEER_PONG is set, a connection failure otherwise.
    fs.writeFileSync(
      path.join(bin, "curl"),
      '#!/bin/sh\nif [ -n "$FAKE_PEER_PONG" ]; then echo pong; else exit 7; fi\n',
      { mode: 0o755 },
    );
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) => ({
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    K3S_ROLE: "agent",
    K3S_CP_APP: "demo-cp",
    FLY_PRIVATE_IP: "fdaa:0:18:a7b:7d:f066:b83b:2",
    FLY_MACHINE_ID: "e2865013a1d386",
    FLY_APP_NAME: "demo-ng-1",
    K3S_DATA_DIR: path.join(dir, "data", "k3s"),
    K3S_TOKEN_FILE: path.join(dir, "data", "k3s-token"),
    K3S_CONFIG_FILE: path.join(dir, "config.yaml"),
    K3S_WAIT_TIMEOUT: "0",
    K3S_CLUSTER_CIDR: "dead:beef:1:0::/56,10.1.0.0/16",
    // Never the machine's own /proc/sys.
    K3S_SYSCTL_DIR: path.join(dir, "sys"),
    ...extra,
  });

  it("refuses to start k3s when a required kernel option is missing", () => {
    const kernel = writeKernelConfig(path.join(dir, "no-veth.config"), {
      CONFIG_VETH: null,
    });
    const result = run(path.join(image, "entrypoint.sh"), [], env({ K3S_KERNEL_CONFIG: kernel }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "missing: CONFIG_VETH is not set (required: flannel: its CNI puts each pod on the cni0 bridge",
    );
    expect(result.stderr).toContain("refusing to start k3s");
    expect(result.stderr).toContain("K3S_SKIP_KERNEL_CHECK=1");
    expect(fs.existsSync(k3sCalled)).toBe(false);
    expect(fs.existsSync(path.join(dir, "config.yaml"))).toBe(false);
  });

  it("rejects an unknown role before doing anything", () => {
    const result = run(path.join(image, "entrypoint.sh"), [], env({ K3S_ROLE: "worker" }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('K3S_ROLE must be server or agent (got "worker")');
    expect(fs.existsSync(k3sCalled)).toBe(false);
  });

  describe("6PN renumbering (stops at the kernel check, before touching the machine)", () => {
    const OLD = "fdaa:0:18:a7b:7d:f066:b83b:2";
    const NEW = "fdaa:0:18:a7b:99:f066:b83b:2";
    let kernel: string;
    const dataDir = () => path.join(dir, "data", "k3s");
    const addressFile = () => path.join(dir, "data", "fly-k3s", "last-address");
    const etcdDir = () => path.join(dataDir(), "server", "db", "etcd");

    beforeAll(() => {
      kernel = writeKernelConfig(path.join(dir, "renumber-no-veth.config"), {
        CONFIG_VETH: null,
      });
    });
    beforeEach(() => {
      fs.rmSync(path.join(dir, "data"), { recursive: true, force: true });
      fs.rmSync(k3sCalled, { force: true });
    });

    const boot = (extra: Record<string, string>) =>
      run(path.join(image, "entrypoint.sh"), [], env({ K3S_KERNEL_CONFIG: kernel, ...extra }));
    const record = (address: string) => {
      fs.mkdirSync(path.dirname(addressFile()), { recursive: true });
      fs.writeFileSync(addressFile(), `${address}\n`);
    };

    it("records the address on the volume at first boot", () => {
      const result = boot({ FLY_PRIVATE_IP: NEW });
      expect(result.stderr).toContain(
        `6PN address ${NEW}: first boot; recording it in ${addressFile()}`,
      );
      expect(fs.readFileSync(addressFile(), "utf8")).toBe(`${NEW}\n`);
      expect(result.stderr).toContain("refusing to start k3s: required kernel options are missing");
    });

    it("goes on when the address is unchanged", () => {
      record(NEW);
      const result = boot({ FLY_PRIVATE_IP: NEW });
      expect(result.stderr).toContain(`6PN address ${NEW} unchanged`);
      expect(result.stderr).toContain("refusing to start k3s: required kernel options");
    });

    it("records an agent's new address and goes on", () => {
      record(OLD);
      const result = boot({ FLY_PRIVATE_IP: NEW });
      expect(result.stderr).toContain(
        `6PN address changed from ${OLD} to ${NEW} (agent-renumbered); recording it`,
      );
      expect(fs.readFileSync(addressFile(), "utf8")).toBe(`${NEW}\n`);
    });

    it("stops a renumbered server with etcd data and a healthy peer, printing the etcdctl update", () => {
      record(OLD);
      fs.mkdirSync(etcdDir(), { recursive: true });
      const result = boot({
        FLY_PRIVATE_IP: NEW,
        K3S_ROLE: "server",
        K3S_BOOTSTRAP: "true",
        FAKE_PEER_PONG: "1",
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        `6PN address changed from ${OLD} to ${NEW}, and this server's etcd member still advertises https://[${OLD}]:2380`,
      );
      expect(result.stderr).toContain(
        `etcdctl --endpoints=https://127.0.0.1:2379 --cacert=${dataDir()}/server/tls/etcd/server-ca.crt --cert=${dataDir()}/server/tls/etcd/client.crt --key=${dataDir()}/server/tls/etcd/client.key member update <member-id> --peer-urls=https://[${NEW}]:2380`,
      );
      expect(result.stderr).toContain(`echo ${NEW} > ${addressFile()} and restart it`);
      expect(result.stderr).not.toContain("kernel");
      expect(fs.readFileSync(addressFile(), "utf8")).toBe(`${OLD}\n`);
      expect(fs.existsSync(k3sCalled)).toBe(false);
    });

    it("refuses a renumbered server with etcd data when no peer answers", () => {
      record(OLD);
      fs.mkdirSync(etcdDir(), { recursive: true });
      const result = boot({ FLY_PRIVATE_IP: NEW, K3S_ROLE: "server", K3S_BOOTSTRAP: "true" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        `6PN address changed from ${OLD} to ${NEW}, this server holds etcd data, and no other server answers at https://demo-cp.internal:6443/ping`,
      );
      expect(result.stderr).toContain("k3s server --cluster-reset");
      expect(fs.readFileSync(addressFile(), "utf8")).toBe(`${OLD}\n`);
      expect(fs.existsSync(k3sCalled)).toBe(false);
    });

    it("lets a renumbered server without etcd data join afresh", () => {
      record(OLD);
      const result = boot({ FLY_PRIVATE_IP: NEW, K3S_ROLE: "server", K3S_BOOTSTRAP: "true" });
      expect(result.stderr).toContain("(server-fresh); recording it");
      expect(fs.readFileSync(addressFile(), "utf8")).toBe(`${NEW}\n`);
    });
  });

  // The device check comes right after the kernel check and before anything
  // touches the machine, so its refusals can run here.
  describe("pod network backend", () => {
    let kernel: string;
    beforeAll(() => {
      kernel = writeKernelConfig(path.join(dir, "complete.config"));
    });
    const boot = (extra: Record<string, string>) =>
      run(path.join(image, "entrypoint.sh"), [], env({ K3S_KERNEL_CONFIG: kernel, ...extra }));

    it("refuses wireguard on a kernel that cannot create a WireGuard device, naming the fix", () => {
      const result = boot({ K3S_FLANNEL_BACKEND: "wireguard", K3S_LINK_TYPES: "vxlan" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        "refusing to start k3s: FLANNEL_BACKEND is wireguard, but this kernel cannot create a WireGuard device",
      );
      expect(result.stderr).toContain("set FLANNEL_BACKEND=vxlan in clusters/<name>/config");
      expect(result.stderr).toContain("IPv4 pod traffic stays within a node, plus egress");
      expect(fs.existsSync(k3sCalled)).toBe(false);
    });

    it("refuses vxlan on a kernel without VXLAN", () => {
      const result = boot({ K3S_FLANNEL_BACKEND: "vxlan", K3S_LINK_TYPES: "wireguard" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("this kernel cannot create a VXLAN device (no CONFIG_VXLAN)");
      expect(fs.existsSync(k3sCalled)).toBe(false);
    });

    it("refuses an unknown backend", () => {
      const result = boot({ K3S_FLANNEL_BACKEND: "ipip", K3S_LINK_TYPES: "vxlan wireguard" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        'K3S_FLANNEL_BACKEND must be wireguard or vxlan (got "ipip")',
      );
    });
  });

  describe("resource limits", () => {
    it("raises low inotify limits, keeps higher ones, and reports the open-file limit", () => {
      const sys = path.join(dir, "sys", "fs", "inotify");
      fs.mkdirSync(sys, { recursive: true });
      fs.writeFileSync(path.join(sys, "max_user_instances"), "128\n");
      fs.writeFileSync(path.join(sys, "max_user_watches"), "1048576\n");
      const kernel = writeKernelConfig(path.join(dir, "limits.config"), { CONFIG_VETH: null });
      const result = run(path.join(image, "entrypoint.sh"), [], env({ K3S_KERNEL_CONFIG: kernel }));
      expect(result.stderr).toContain("fs.inotify.max_user_instances: 128 -> 8192");
      expect(fs.readFileSync(path.join(sys, "max_user_instances"), "utf8").trim()).toBe("8192");
      expect(fs.readFileSync(path.join(sys, "max_user_watches"), "utf8").trim()).toBe("1048576");
      expect(result.stderr).not.toContain("max_user_watches:");
      expect(result.stderr).toMatch(/open-file limit: (\d+|unlimited) \(hard (\d+|unlimited)\)/);
      // The soft limit is raised to the hard one (or 1048576 where that may be raised).
      const [, soft, hard] = /open-file limit: (\S+) \(hard (\S+)\)/.exec(result.stderr) ?? [];
      expect(soft).toBe(hard);
    });

    it("warns and goes on when a limit cannot be read", () => {
      fs.rmSync(path.join(dir, "sys"), { recursive: true, force: true });
      const kernel = writeKernelConfig(path.join(dir, "limits2.config"), {
        CONFIG_VETH: null,
      });
      const result = run(path.join(image, "entrypoint.sh"), [], env({ K3S_KERNEL_CONFIG: kernel }));
      expect(result.stderr).toContain(
        `warning: cannot read ${path.join(dir, "sys", "fs/inotify/max_user_instances")}; leaving fs.inotify.max_user_instances alone`,
      );
      expect(result.stderr).toContain("refusing to start k3s: required kernel options");
    });
  });
});
