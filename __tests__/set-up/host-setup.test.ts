/**
 * scripts/host-setup.ts against a fake host (FLY_K3S_HOST_ROOT: its
 * proc/sys and etc; stub apt-get, dpkg-query, ip and podman first on PATH):
 * a laptop whose IPv6 default route comes from router advertisements. The
 * change is printed with its reason before it is made, recorded, and undone;
 * an /etc/containers/containers.conf an earlier set-up wrote goes on undo,
 * its .bak restored. Nothing of the real host is read or written.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
/** apply and undo act only as root (on the fake host here): fail with the reason otherwise. */
function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "scripts/host-setup.ts apply and undo act only as root: run this suite as root",
    );
  }
}

function fakeHost(): { dir: string; env: Record<string, string>; read: (p: string) => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-host-"));
  const conf = path.join(dir, "host/proc/sys/net/ipv6/conf");
  for (const [dev, ra] of Object.entries({ all: "1", default: "1", lo: "1", wlp2s0: "1" })) {
    fs.mkdirSync(path.join(conf, dev), { recursive: true });
    fs.writeFileSync(path.join(conf, dev, "accept_ra"), `${ra}\n`);
  }
  fs.writeFileSync(path.join(conf, "all", "forwarding"), "0\n");
  fs.mkdirSync(path.join(dir, "host/etc/containers"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "host/etc/containers/containers.conf"),
    "# Written by fly-k3s scripts/podman-setup.sh\n",
  );
  fs.writeFileSync(
    path.join(dir, "host/etc/containers/containers.conf.bak.1700000000"),
    "# the admin's own\n",
  );
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const stub = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  stub(
    "ip",
    'echo "default via fe80::1 dev wlp2s0 proto ra metric 600 expires 1790sec pref medium"',
  );
  stub(
    "dpkg-query",
    'for p in "$@"; do case $p in -*|*Package*) ;; *) printf "%s\\tinstall ok installed\\n" "$p";; esac; done',
  );
  stub("apt-get", `echo "apt-get $*" >>"${dir}/apt.log"`);
  stub("podman", 'case $1 in version) echo 4.3.1;; info) echo "4.3.1 runc cni";; esac');
  const env = {
    PATH: `${bin}${path.delimiter}/usr/bin${path.delimiter}/bin`,
    HOME: dir,
    FLY_K3S_CACHE: path.join(dir, "cache"),
    FLY_K3S_HOST_ROOT: path.join(dir, "host"),
    TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
  };
  return { dir, env, read: (p) => fs.readFileSync(path.join(dir, "host", p), "utf8") };
}

function hostSetup(env: Record<string, string>, ...args: string[]) {
  return spawnSync(
    process.execPath,
    [
      "-r",
      path.join(ROOT, "node_modules/ts-node/register/transpile-only"),
      path.join(ROOT, "scripts/host-setup.ts"),
      ...args,
    ],
    { encoding: "utf8", env },
  );
}

describe("scripts/host-setup.ts on a fake laptop", () => {
  let host: ReturnType<typeof fakeHost>;
  beforeEach(() => (host = fakeHost()));
  afterEach(() => fs.rmSync(host.dir, { recursive: true, force: true }));

  it("check says what is to do, changes nothing, and exits 3", () => {
    const r = hostSetup(host.env, "check", "--local");
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(
      "to do: sysctl net.ipv6.conf.wlp2s0.accept_ra: 1 -> 2. Why: wlp2s0's IPv6 default route comes from router advertisements",
    );
    expect(host.read("proc/sys/net/ipv6/conf/wlp2s0/accept_ra")).toBe("1\n");
    expect(fs.existsSync(path.join(host.dir, "cache/host-setup.json"))).toBe(false);
  });

  it("apply prints, then makes and records the change; undo restores it and the old containers.conf", () => {
    requireRoot();
    const a = hostSetup(host.env, "apply", "--local");
    expect(a.status).toBe(0);
    const changing = a.stderr.indexOf(
      "changing: sysctl net.ipv6.conf.wlp2s0.accept_ra: 1 -> 2. Why:",
    );
    expect(changing).toBeGreaterThanOrEqual(0);
    expect(a.stderr).toContain(
      "note: /etc/containers/containers.conf was written by an earlier fly-k3s set-up",
    );
    expect(a.stderr).toContain(
      "podman 4.3.1 ready for the local Fly (runtime runc, network backend cni; settings CONTAINERS_CONF=",
    );
    expect(host.read("proc/sys/net/ipv6/conf/wlp2s0/accept_ra")).toBe("2\n");
    expect(host.read("proc/sys/net/ipv6/conf/all/forwarding")).toBe("0\n");
    const record = JSON.parse(
      fs.readFileSync(path.join(host.dir, "cache/host-setup.json"), "utf8"),
    );
    expect(record.changes).toEqual([
      expect.objectContaining({
        kind: "sysctl",
        key: "net.ipv6.conf.wlp2s0.accept_ra",
        from: "1",
        to: "2",
      }),
    ]);
    expect(fs.readFileSync(path.join(host.dir, "cache/containers.conf"), "utf8")).toContain(
      'runtime = "runc"',
    );
    expect(fs.existsSync(path.join(host.dir, "apt.log"))).toBe(false);

    // Nothing left to do: a second check passes.
    expect(hostSetup(host.env, "check", "--local").status).toBe(0);

    const u = hostSetup(host.env, "undo");
    expect(u.status).toBe(0);
    expect(u.stderr).toContain("undoing: sysctl net.ipv6.conf.wlp2s0.accept_ra back to 1");
    expect(u.stderr).toContain("undoing: remove /etc/containers/containers.conf");
    expect(host.read("proc/sys/net/ipv6/conf/wlp2s0/accept_ra")).toBe("1\n");
    expect(host.read("etc/containers/containers.conf")).toBe("# the admin's own\n");
    expect(fs.existsSync(path.join(host.dir, "cache/host-setup.json"))).toBe(false);
    expect(hostSetup(host.env, "undo").stderr).toContain("nothing to undo");
  });

  it("undo keeps accept_ra=2 once podman has turned forwarding on, and says why", () => {
    requireRoot();
    expect(hostSetup(host.env, "apply", "--local").status).toBe(0);
    fs.writeFileSync(path.join(host.dir, "host/proc/sys/net/ipv6/conf/all/forwarding"), "1\n");
    const u = hostSetup(host.env, "undo");
    expect(u.status).toBe(3);
    expect(u.stderr).toContain(
      "keeping net.ipv6.conf.wlp2s0.accept_ra=2: net.ipv6.conf.all.forwarding is 1",
    );
    expect(host.read("proc/sys/net/ipv6/conf/wlp2s0/accept_ra")).toBe("2\n");
    expect(
      JSON.parse(fs.readFileSync(path.join(host.dir, "cache/host-setup.json"), "utf8")).changes,
    ).toHaveLength(1);
  });

  it("installs missing packages through apt-get, recorded, and removes them on undo", () => {
    requireRoot();
    fs.writeFileSync(path.join(host.dir, "bin/dpkg-query"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    fs.writeFileSync(path.join(host.dir, "host/proc/sys/net/ipv6/conf/all/forwarding"), "1\n");
    const a = hostSetup(host.env, "apply", "--dev");
    expect(a.status).toBe(0);
    expect(a.stderr).toContain(
      "changing: install Debian packages shellcheck (apt-get install --no-install-recommends). Why: shellcheck: npm run lint",
    );
    expect(fs.readFileSync(path.join(host.dir, "apt.log"), "utf8")).toContain(
      "apt-get install -y -qq --no-install-recommends shellcheck",
    );
    expect(hostSetup(host.env, "undo").status).toBe(0);
    expect(fs.readFileSync(path.join(host.dir, "apt.log"), "utf8")).toContain(
      "apt-get remove -y -qq shellcheck",
    );
  });
});
