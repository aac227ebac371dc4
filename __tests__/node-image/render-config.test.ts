import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { renderScript, run, tempDir } from "./helpers";

const V6 = "fdaa:0:18:a7b:7d:f066:b83b:2";
const V4 = "172.19.0.2";
const FAKE_TOKEN = "K10fakefakefake::server:not-a-real-secret-7f3a";

type Config = Record<string, unknown>;

describe("images/k3s-node/render-config.sh", () => {
  let dir: string;
  let dataDir: string;
  let tokenFile: string;
  let out: string;
  let decisionFile: string;

  beforeEach(() => {
    dir = tempDir("render");
    dataDir = path.join(dir, "k3s");
    tokenFile = path.join(dir, "k3s-token");
    decisionFile = path.join(dir, "fly-k3s", "cluster-decision");
    out = path.join(dir, "etc", "config.yaml");
  });
  /** What the deploy writes onto a bootstrap server without etcd data (ops/bootstrap.ts). */
  const decide = (text: string) => {
    fs.mkdirSync(path.dirname(decisionFile), { recursive: true });
    fs.writeFileSync(decisionFile, text);
  };
  const withToken = <T>(env: T): T => {
    fs.writeFileSync(tokenFile, FAKE_TOKEN);
    return env;
  };
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const machine = (appName: string): Record<string, string> => ({
    FLY_PRIVATE_IP: V6,
    FLY_MACHINE_ID: "e2865013a1d386",
    FLY_APP_NAME: appName,
    FLY_REGION: "sjc",
    K3S_ZONE: "09cd",
    K3S_CLUSTER_NAME: "demo",
    K3S_VERSION: "v1.36.3+k3s1",
    K3S_CP_APP: "demo-cp",
    K3S_CLUSTER_CIDR: "dead:beef:1:0::/56,10.1.0.0/16",
    K3S_DATA_DIR: dataDir,
    K3S_TOKEN_FILE: tokenFile,
    K3S_ETH0_IPV4: V4,
    K3S_ETH0_MTU: "1420",
    K3S_CGROUP_FSTYPE: "tmpfs",
    K3S_FLANNEL_BACKEND: "vxlan",
    K3S_DECISION_FILE: decisionFile,
  });
  const serverEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...machine("demo-cp"),
    K3S_ROLE: "server",
    K3S_SERVICE_CIDR: "dead:beef:1:1::/112,10.2.0.0/16",
    K3S_CLUSTER_DNS: "dead:beef:1:1::10",
    ...extra,
  });
  /** A bootstrap server of a cluster the deploy found had never formed. */
  const bootstrapEnv = (extra: Record<string, string> = {}) => {
    decide("found\n");
    return serverEnv({ K3S_BOOTSTRAP: "true", ...extra });
  };
  const joiningEnv = () =>
    withToken(
      serverEnv({
        K3S_BOOTSTRAP: "false",
        K3S_BOOTSTRAP_SERVER: "b00t5742a1d386.vm.demo-cp.internal",
      }),
    );
  const agentEnv = (extra: Record<string, string> = {}) =>
    withToken({
      ...machine("demo-ng-1"),
      K3S_ROLE: "agent",
      ...extra,
    });

  function render(env: Record<string, string>): { config: Config; text: string } {
    const result = run(renderScript, ["--out", out], env);
    expect(result).toMatchObject({ status: 0 });
    const text = fs.readFileSync(out, "utf8");
    return { config: parse(text) as Config, text };
  }

  const flannelConf = () => path.join(path.dirname(out), "flannel-net-conf.json");
  const stateDir = () => path.join(dir, "fly-k3s");
  const common = (appName: string) => ({
    "data-dir": expect.stringMatching(/\/k3s$/),
    "node-name": `e2865013a1d386.vm.${appName}.internal`,
    "node-ip": `${V6},${V4}`,
    "node-label": ["topology.kubernetes.io/region=sjc", "topology.kubernetes.io/zone=09cd"],
    "flannel-iface": "eth0",
    "flannel-conf": flannelConf(),
    "kubelet-arg": ["fail-cgroupv1=false"],
    "kube-proxy-arg": ["conntrack-max-per-core=0"],
  });
  const serverOnly = {
    "cluster-cidr": "dead:beef:1:0::/56,10.1.0.0/16",
    "service-cidr": "dead:beef:1:1::/112,10.2.0.0/16",
    "cluster-dns": "dead:beef:1:1::10",
    "flannel-backend": "vxlan",
    "flannel-ipv6-masq": true,
    "tls-san": ["demo-cp.internal", "e2865013a1d386.vm.demo-cp.internal"],
    disable: ["traefik", "servicelb", "metrics-server"],
  };

  describe("bootstrap server", () => {
    const wal = () =>
      fs.mkdirSync(path.join(dataDir, "server", "db", "etcd", "member", "wal"), {
        recursive: true,
      });

    it("founds the cluster when the deploy says it never formed, without a token", () => {
      const { config } = render(bootstrapEnv());
      expect(config).toEqual({ ...common("demo-cp"), ...serverOnly, "cluster-init": true });
    });

    it("restarts its etcd member once the WAL exists: neither cluster-init nor server", () => {
      const env = bootstrapEnv();
      wal();
      const { config } = render(env);
      expect(config).toEqual({ ...common("demo-cp"), ...serverOnly });
      expect(config).not.toHaveProperty("server");
    });

    it("keeps cluster-init when server/db exists without a WAL (a first boot that died early)", () => {
      // k3s would fall back to SQLite with neither cluster-init nor server.
      const env = bootstrapEnv();
      fs.mkdirSync(path.join(dataDir, "server", "db", "etcd"), { recursive: true });
      const { config } = render(env);
      expect(config["cluster-init"]).toBe(true);
    });

    it("joins the running server the deploy names when the cluster formed before", () => {
      decide("join https://[fdaa:0:18:a7b:7d:f066:b83b:9]:6443\n");
      const env = withToken(serverEnv({ K3S_BOOTSTRAP: "true" }));
      const { config } = render(env);
      expect(config).toEqual({
        ...common("demo-cp"),
        ...serverOnly,
        server: "https://[fdaa:0:18:a7b:7d:f066:b83b:9]:6443",
        "token-file": tokenFile,
      });
      expect(config).not.toHaveProperty("cluster-init");
    });

    it.each([
      ["no decision", () => undefined, "no decision from the deploy"],
      ["join without a token", () => decide("join https://peer:6443\n"), "no join token"],
    ])("renders nothing with %s (never founds a second cluster)", (_name, setUp, message) => {
      setUp();
      const result = run(renderScript, ["--out", out], serverEnv({ K3S_BOOTSTRAP: "true" }));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(message);
      expect(fs.existsSync(out)).toBe(false);
    });

    it("refuses a decision file it does not understand", () => {
      decide("maybe\n");
      const result = run(renderScript, ["--out", out], serverEnv({ K3S_BOOTSTRAP: "true" }));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('holds "maybe"; expected "found" or "join <server URL>"');
    });

    it("uses the token file when the provisioner has written one", () => {
      fs.writeFileSync(tokenFile, FAKE_TOKEN);
      const { config, text } = render(bootstrapEnv());
      expect(config["token-file"]).toBe(tokenFile);
      expect(text).not.toContain(FAKE_TOKEN);
    });
  });

  describe("joining server", () => {
    it("joins the bootstrap server by name with the token file", () => {
      const { config } = render(joiningEnv());
      expect(config).toEqual({
        ...common("demo-cp"),
        ...serverOnly,
        server: "https://b00t5742a1d386.vm.demo-cp.internal:6443",
        "token-file": tokenFile,
      });
    });

    it.each([
      ["fdaa:0:18:a7b:7d:f066:b83b:9", "https://[fdaa:0:18:a7b:7d:f066:b83b:9]:6443"],
      ["boot.vm.demo-cp.internal:7443", "https://boot.vm.demo-cp.internal:7443"],
      ["https://boot.vm.demo-cp.internal:6443", "https://boot.vm.demo-cp.internal:6443"],
    ])("turns K3S_BOOTSTRAP_SERVER=%s into %s", (given, url) => {
      const { config } = render({ ...joiningEnv(), K3S_BOOTSTRAP_SERVER: given });
      expect(config.server).toBe(url);
    });

    it("fails without K3S_BOOTSTRAP_SERVER", () => {
      const env = joiningEnv();
      delete (env as Record<string, string | undefined>).K3S_BOOTSTRAP_SERVER;
      const result = run(renderScript, ["--out", out], env);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("K3S_BOOTSTRAP_SERVER is not set");
      expect(fs.existsSync(out)).toBe(false);
    });
  });

  describe("agent", () => {
    it("joins <cp-app>.internal and carries no server-only settings", () => {
      const { config } = render(agentEnv());
      expect(config).toEqual({
        ...common("demo-ng-1"),
        server: "https://demo-cp.internal:6443",
        "token-file": tokenFile,
      });
    });

    it("adds K3S_NODE_LABELS after the topology labels", () => {
      const { config } = render(
        agentEnv({ K3S_NODE_LABELS: "fly-k3s.io/node-group=ng-1,tier=web" }),
      );
      expect(config["node-label"]).toEqual([
        "topology.kubernetes.io/region=sjc",
        "topology.kubernetes.io/zone=09cd",
        "fly-k3s.io/node-group=ng-1",
        "tier=web",
      ]);
    });

    it("rejects a malformed node label", () => {
      const result = run(renderScript, ["--out", out], agentEnv({ K3S_NODE_LABELS: "oops" }));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('K3S_NODE_LABELS: "oops" is not a key=value node label');
    });
  });

  describe("every role", () => {
    const roles: [string, () => Record<string, string>][] = [
      ["bootstrap server", bootstrapEnv],
      ["joining server", joiningEnv],
      ["agent", () => agentEnv()],
    ];

    it.each(roles)("%s: lists IPv6 first in node-ip and every range", (_role, env) => {
      const { config } = render(env());
      for (const key of ["node-ip", "cluster-cidr", "service-cidr", "cluster-dns"]) {
        if (!(key in config)) continue;
        const first = String(config[key]).split(",")[0];
        expect({ key, first, ipv6: first.includes(":") }).toEqual({ key, first, ipv6: true });
      }
    });

    it.each(roles)("%s: never writes the token itself", (_role, env) => {
      fs.writeFileSync(tokenFile, FAKE_TOKEN);
      const { config, text } = render(env());
      expect(text).not.toContain(FAKE_TOKEN);
      expect(text).not.toContain("not-a-real-secret");
      expect(config).not.toHaveProperty("token");
      expect(config["token-file"]).toBe(tokenFile);
    });

    it.each(roles)("%s: skips fail-cgroupv1 on a cgroup v2 host", (_role, env) => {
      const { config } = render({ ...env(), K3S_CGROUP_FSTYPE: "cgroup2fs" });
      expect(config).not.toHaveProperty("kubelet-arg");
      expect(config["kube-proxy-arg"]).toEqual(["conntrack-max-per-core=0"]);
    });
  });

  it("uses only the 6PN address when eth0 has no IPv4", () => {
    const { config } = render(agentEnv({ K3S_ETH0_IPV4: "" }));
    expect(config["node-ip"]).toBe(V6);
  });

  it("warns a dual-stack server without an eth0 IPv4 that k3s will refuse it", () => {
    const result = run(renderScript, ["--out", out], { ...bootstrapEnv(), K3S_ETH0_IPV4: "" });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("eth0 has no IPv4 address, but K3S_CLUSTER_CIDR is dual-stack");
  });

  it.each([
    ["K3S_CLUSTER_CIDR", "10.1.0.0/16,dead:beef:1:0::/56"],
    ["K3S_SERVICE_CIDR", "10.2.0.0/16,dead:beef:1:1::/112"],
  ])("refuses %s with IPv4 first", (key, value) => {
    const result = run(renderScript, ["--out", out], { ...bootstrapEnv(), [key]: value });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `${key}: the IPv6 range must come first for an IPv6-first cluster (got "${value}")`,
    );
  });

  it.each([
    [{ K3S_ROLE: "worker" }, 'K3S_ROLE must be server or agent (got "worker")'],
    [
      { K3S_ROLE: "agent", K3S_BOOTSTRAP: "true" },
      "K3S_BOOTSTRAP=true is only valid with K3S_ROLE=server",
    ],
    [{ FLY_PRIVATE_IP: "172.19.0.2" }, "FLY_PRIVATE_IP must be the machine's 6PN IPv6 address"],
  ])("rejects %j", (extra, message) => {
    const result = run(renderScript, ["--out", out], { ...bootstrapEnv(), ...extra });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });

  describe("writing", () => {
    it("writes mode 0600 and leaves an unchanged config (and no .prev) alone", () => {
      render(agentEnv());
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      expect(fs.statSync(flannelConf()).mode & 0o777).toBe(0o600);
      const again = run(renderScript, ["--out", out], agentEnv());
      expect(again.status).toBe(0);
      expect(again.stderr).toContain("unchanged since the last boot");
      expect(fs.readdirSync(stateDir())).toEqual(["config.yaml.last"]);
    });

    it("keeps the last and previous configs on the volume, not next to the root-fs config", () => {
      const first = render(agentEnv()).text;
      expect(fs.readFileSync(path.join(stateDir(), "config.yaml.last"), "utf8")).toBe(first);
      // Fly rebuilds the root filesystem at every boot: the rendered file is gone.
      fs.rmSync(path.dirname(out), { recursive: true });
      const result = run(
        renderScript,
        ["--out", out],
        agentEnv({ FLY_PRIVATE_IP: "fdaa:0:18:a7b:99:f066:b83b:2" }),
      );
      expect(result.status).toBe(0);
      expect(result.stderr).toContain("changed since the last boot");
      expect(fs.readFileSync(path.join(stateDir(), "config.yaml.prev"), "utf8")).toBe(first);
      expect(parse(fs.readFileSync(out, "utf8"))["node-ip"]).toBe(
        `fdaa:0:18:a7b:99:f066:b83b:2,${V4}`,
      );
      expect(fs.existsSync(`${out}.prev`)).toBe(false);
    });

    it("leaves no temporary files behind", () => {
      render(agentEnv());
      expect(fs.readdirSync(path.dirname(out)).sort()).toEqual([
        "config.yaml",
        "flannel-net-conf.json",
      ]);
      expect(fs.readdirSync(stateDir())).toEqual(["config.yaml.last"]);
    });
  });

  describe("flannel net-conf", () => {
    const netConf = () => JSON.parse(fs.readFileSync(flannelConf(), "utf8")) as unknown;

    // The rendered net-conf of a server and an agent, for each backend: both
    // must be the same, since every node hands its own file to flannel.
    it.each([
      ["bootstrap server", bootstrapEnv],
      ["agent", agentEnv],
    ])("%s, vxlan: IPv6 pods over 6PN, device MTU = eth0 - 70", (_role, env) => {
      render(env());
      expect(netConf()).toEqual({
        Network: "10.1.0.0/16",
        EnableIPv4: true,
        EnableIPv6: true,
        IPv6Network: "dead:beef:1:0::/56",
        Backend: { Type: "vxlan", MTU: 1350 },
      });
    });

    it.each([
      ["bootstrap server", bootstrapEnv],
      ["agent", agentEnv],
    ])("%s, wireguard: one tunnel on IPv6, listening where peers dial", (_role, env) => {
      const { config } = render(env({ K3S_FLANNEL_BACKEND: "wireguard" }));
      // flannel >= v0.26.6 dials a peer at the IPv6 port its lease advertises
      // (ListenPortV6), while the Mode ipv6 device listens on ListenPort.
      expect(netConf()).toEqual({
        Network: "10.1.0.0/16",
        EnableIPv4: true,
        EnableIPv6: true,
        IPv6Network: "dead:beef:1:0::/56",
        Backend: {
          Type: "wireguard",
          Mode: "ipv6",
          ListenPort: 51820,
          ListenPortV6: 51820,
          PersistentKeepaliveInterval: 25,
        },
      });
      if ("cluster-cidr" in config) expect(config["flannel-backend"]).toBe("wireguard-native");
    });

    it("refuses an unknown backend", () => {
      const result = run(renderScript, ["--out", out], agentEnv({ K3S_FLANNEL_BACKEND: "ipip" }));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        'K3S_FLANNEL_BACKEND must be wireguard or vxlan (got "ipip")',
      );
    });

    it("writes an IPv6-only net-conf for an IPv6-only cluster range", () => {
      render(agentEnv({ K3S_CLUSTER_CIDR: "dead:beef:1:0::/56", K3S_ETH0_IPV4: "" }));
      expect(netConf()).toEqual({
        EnableIPv4: false,
        EnableIPv6: true,
        IPv6Network: "dead:beef:1:0::/56",
        Backend: { Type: "vxlan", MTU: 1350 },
      });
    });

    it.each([
      [{ K3S_CLUSTER_CIDR: "" }, "K3S_CLUSTER_CIDR is not set; every node needs the pod ranges"],
      [
        { K3S_CLUSTER_CIDR: "dead:beef::/56,10.1.0.0/16,10.9.0.0/16" },
        "K3S_CLUSTER_CIDR must be an IPv6 range, optionally followed by an IPv4 range",
      ],
    ])("refuses %j", (extra, message) => {
      const result = run(renderScript, ["--out", out], agentEnv(extra));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(message);
    });
  });
});
