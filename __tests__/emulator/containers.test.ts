/**
 * Machines as real podman containers: 6PN over IPv6 only, internal DNS,
 * Fly's environment, volumes that keep data, re-adoption after a restart of
 * the emulator, and --reset removing everything.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LABEL_INSTANCE, labelFilter } from "../../contract/podman-labels";
import { resetEmulator, startEmulator } from "../../emulator";
import { buildTestImage, Client, describePodman, TEST_IMAGE } from "./helpers";

jest.setTimeout(180_000);

type Machine = { id: string; state: string; private_ip: string; name: string };
type Exec = { exit_code: number; stdout: string; stderr: string };

const podman = (...args: string[]): string => execFileSync("podman", args, { encoding: "utf8" });

describePodman("Machines as podman containers", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "fly-emu-ctr-"));
  const app = "ctr-app";
  const base = `/apps/${app}/machines`;
  let api: Client;
  let close: () => Promise<void>;
  let instance: string;
  let a: Machine;
  let b: Machine;
  let volId: string;
  let v4Subnet = "172.19.";

  const exec = async (m: Machine, cmd: string): Promise<Exec> =>
    (await api.post<Exec>(`${base}/${m.id}/exec`, { cmd, timeout: 20 })).body;
  const waitFor = async (m: Machine, state: string): Promise<void> => {
    expect((await api.get(`${base}/${m.id}/wait?state=${state}&timeout=60`)).status).toBe(200);
  };
  const start = async (): Promise<void> => {
    // Many execs per machine in a row: Fly's rate limits (on by default) are
    // switched off here; limits-faults.test.ts tests them.
    const emu = await startEmulator({
      port: 0,
      token: "ctr-token",
      stateDir,
      settings: { rateLimit: false },
    });
    api = new Client(emu.url, emu.token);
    close = emu.close;
    instance = emu.instance;
  };

  beforeAll(async () => {
    buildTestImage();
    await start();
    await api.post("/apps", { app_name: app, org_slug: "ctr-org" });
    volId = (
      await api.post<{ id: string }>(`/apps/${app}/volumes`, {
        name: "data",
        region: "iad",
        size_gb: 1,
      })
    ).body.id;
    a = (
      await api.post<Machine>(base, {
        name: "a",
        region: "iad",
        config: {
          image: TEST_IMAGE,
          env: { ROLE: "server" },
          guest: { cpu_kind: "shared", cpus: 64, memory_mb: 512 },
          mounts: [{ volume: volId, path: "/data" }],
          files: [
            {
              guest_path: "/etc/fly-k3s/hello.txt",
              raw_value: Buffer.from("hi\n").toString("base64"),
            },
          ],
        },
      })
    ).body;
    b = (await api.post<Machine>(base, { name: "b", region: "ams", config: { image: TEST_IMAGE } }))
      .body;
    await waitFor(a, "started");
    await waitFor(b, "started");
  });

  afterAll(async () => {
    await close?.();
    await resetEmulator(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("runs each machine as a privileged container named by its id, with Fly's env", async () => {
    const r = await exec(a, "sh -c 'hostname; env'");
    expect(r.exit_code).toBe(0);
    const [host, ...env] = r.stdout.trim().split("\n");
    expect(host).toBe(a.id);
    expect(env).toEqual(
      expect.arrayContaining([
        "ROLE=server",
        `FLY_MACHINE_ID=${a.id}`,
        `FLY_ALLOC_ID=${a.id}`,
        `FLY_APP_NAME=${app}`,
        "FLY_REGION=iad",
        `FLY_PRIVATE_IP=${a.private_ip}`,
        "FLY_VM_MEMORY_MB=512",
        "PRIMARY_REGION=iad",
      ]),
    );
    expect(env.some((l) => /^FLY_MACHINE_VERSION=[0-9A-Z]{26}$/.test(l))).toBe(true);
    expect((await exec(a, "cat /etc/fly-k3s/hello.txt")).stdout).toBe("hi\n");
    expect((await exec(a, "grep fly-local-6pn /etc/hosts")).stdout).toContain(a.private_ip);
    expect((await exec(a, "sh -c 'mount | grep \" /run \"'")).stdout).toContain("tmpfs");
    // Privileged: can manage interfaces (k3s will need it).
    expect((await exec(a, "ip link add br9 type bridge")).exit_code).toBe(0);
  });

  it("puts eth0 on the org's 6PN with MTU 1420", async () => {
    expect((await exec(a, "cat /sys/class/net/eth0/mtu")).stdout.trim()).toBe("1420");
    const addr = await exec(a, "ip -6 addr show dev eth0 scope global");
    expect(addr.stdout).toContain(a.private_ip);
    expect(a.private_ip.split(":").slice(0, 3)).toEqual(b.private_ip.split(":").slice(0, 3));
  });

  it("resolves .internal names from the org DNS server", async () => {
    const resolv = await exec(a, "cat /etc/resolv.conf");
    expect(resolv.stdout).toMatch(/^nameserver fdaa::3$/m);
    const all = await exec(a, `nslookup -type=AAAA ${app}.internal`);
    expect(all.stdout).toContain(a.private_ip);
    expect(all.stdout).toContain(b.private_ip);
    const one = await exec(a, `nslookup -type=AAAA ${b.id}.vm.${app}.internal`);
    expect(one.stdout).toContain(b.private_ip);
    expect(one.stdout).not.toContain(a.private_ip);
    const region = await exec(a, `nslookup -type=AAAA ams.${app}.internal`);
    expect(region.stdout).toContain(b.private_ip);
    expect(region.stdout).not.toContain(a.private_ip);
    expect((await exec(a, "nslookup -type=TXT _apps.internal")).stdout).toContain(app);
    const nx = await exec(a, "nslookup -type=AAAA nope.internal");
    expect(nx.stdout + nx.stderr).toMatch(/NXDOMAIN|can't find/);
  });

  it("serves the Machines API on _api.internal:4280 inside the 6PN", async () => {
    const r = await exec(
      a,
      `wget -q -O - --header "Authorization: Bearer ctr-token" http://_api.internal:4280/v1/apps/${app}/machines/${b.id}`,
    );
    expect(r.exit_code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: b.id, private_ip: b.private_ip });
  });

  it("lets machines reach each other by <app>.internal over IPv6", async () => {
    const any = await exec(a, `ping6 -c 1 -W 3 ${app}.internal`);
    expect(any.exit_code).toBe(0);
    const ping = await exec(a, `ping6 -c 1 -W 3 ${b.id}.vm.${app}.internal`);
    expect(ping.stdout).toContain(b.private_ip);
    expect(ping.exit_code).toBe(0);
    // TCP: b listens on [::]:7000 (in the background), a connects by app name.
    await exec(b, "sh -c 'setsid nc -l -p 7000 > /tmp/got 2>&1 < /dev/null &'");
    const send = await exec(a, `sh -c 'echo over-6pn | nc -w 3 ${b.id}.vm.${app}.internal 7000'`);
    expect(send.exit_code).toBe(0);
    let got = "";
    for (let i = 0; i < 20 && !got.includes("over-6pn"); i++) {
      got = (await exec(b, "cat /tmp/got")).stdout;
      await sleep(100);
    }
    expect(got).toContain("over-6pn");
  });

  it("does not let machines reach each other over IPv4", async () => {
    const v4 = (m: Machine) =>
      exec(m, "sh -c \"ip -4 addr show dev eth0 | sed -n 's/.*inet \\([0-9.]*\\).*/\\1/p'\"");
    const bv4 = (await v4(b)).stdout.trim();
    expect(bv4).toMatch(/^172\.19\.\d+\.\d+$/);
    v4Subnet = bv4.replace(/\.\d+$/, ".0/24");
    expect(execFileSync("ebtables", ["-L", "FORWARD"], { encoding: "utf8" })).toContain(v4Subnet);
    const ping = await exec(a, `ping -c 1 -W 2 ${bv4}`);
    expect(ping.exit_code).not.toBe(0);
    // IPv4 itself works (egress path to the gateway).
    const gw = bv4.replace(/\.\d+$/, ".1");
    expect((await exec(a, `ping -c 1 -W 2 ${gw}`)).exit_code).toBe(0);
  });

  it("isolates orgs from each other", async () => {
    await api.post("/apps", { app_name: "other-org-app", org_slug: "ctr-org-2" });
    const o = (
      await api.post<Machine>("/apps/other-org-app/machines", {
        region: "iad",
        config: { image: TEST_IMAGE },
      })
    ).body;
    expect(
      (await api.get(`/apps/other-org-app/machines/${o.id}/wait?state=started&timeout=60`)).status,
    ).toBe(200);
    expect(o.private_ip.split(":").slice(0, 3)).not.toEqual(a.private_ip.split(":").slice(0, 3));
    const oexec = async (cmd: string): Promise<Exec> =>
      (await api.post<Exec>(`/apps/other-org-app/machines/${o.id}/exec`, { cmd, timeout: 20 }))
        .body;
    expect((await exec(a, `ping6 -c 1 -W 2 ${o.private_ip}`)).exit_code).not.toBe(0);
    expect((await oexec(`ping6 -c 1 -W 2 ${a.private_ip}`)).exit_code).not.toBe(0);
    expect((await oexec("nslookup -type=TXT _apps.internal")).stdout).not.toContain(app);
    expect((await oexec(`nslookup -type=AAAA ${app}.internal`)).stdout).not.toContain(a.private_ip);
    // Within an org, IPv6 still flows.
    expect((await exec(a, `ping6 -c 1 -W 2 ${b.private_ip}`)).exit_code).toBe(0);
    await api.del(`/apps/other-org-app`);
  });

  it("omits stopped machines from <app>.internal", async () => {
    await api.post(`${base}/${b.id}/stop`);
    await waitFor(b, "stopped");
    const all = await exec(a, `nslookup -type=AAAA ${app}.internal`);
    expect(all.stdout).toContain(a.private_ip);
    expect(all.stdout).not.toContain(b.private_ip);
    await api.post(`${base}/${b.id}/start`);
    await waitFor(b, "started");
  });

  it("keeps volume data across stop/start and update, and resets the rootfs", async () => {
    expect(
      (await exec(a, "sh -c 'echo kept > /data/file; echo gone > /root/file'")).exit_code,
    ).toBe(0);
    await api.post(`${base}/${a.id}/stop`);
    await waitFor(a, "stopped");
    await api.post(`${base}/${a.id}/start`);
    await waitFor(a, "started");
    expect((await exec(a, "cat /data/file")).stdout).toBe("kept\n");
    expect((await exec(a, "cat /root/file")).exit_code).not.toBe(0);

    const cur = (await api.get<{ config: Record<string, unknown> }>(`${base}/${a.id}`)).body.config;
    const u = await api.post(`${base}/${a.id}`, { config: { ...cur, env: { ROLE: "agent" } } });
    expect(u.status).toBe(200);
    await waitFor(a, "started");
    expect((await exec(a, "cat /data/file")).stdout).toBe("kept\n");
    expect((await exec(a, "sh -c 'echo $ROLE'")).stdout).toBe("agent\n");
  });

  it("marks a machine stopped when its process exits", async () => {
    const c = (
      await api.post<Machine>(base, {
        region: "iad",
        config: {
          image: TEST_IMAGE,
          init: { cmd: ["sh", "-c", "sleep 1"] },
          restart: { policy: "no" },
        },
      })
    ).body;
    await waitFor(c, "started");
    await waitFor(c, "stopped");
    await api.del(`${base}/${c.id}`);
  });

  it("re-adopts running containers after a restart of the emulator", async () => {
    await exec(a, "sh -c 'echo alive > /run/marker'");
    const before = podman("inspect", "--format", "{{.Id}}", `flyemu-${instance}-${a.id}`).trim();
    await close();
    expect(podman("inspect", "--format", "{{.State.Status}}", before).trim()).toBe("running");
    await start();
    const got = (await api.get<Machine[]>(base)).body;
    expect(got.map((m) => [m.name, m.state]).sort()).toEqual([
      ["a", "started"],
      ["b", "started"],
    ]);
    expect((await exec(a, "cat /run/marker")).stdout).toBe("alive\n");
    expect(podman("inspect", "--format", "{{.Id}}", `flyemu-${instance}-${a.id}`).trim()).toBe(
      before,
    );
    // Apps, volumes and secrets survived too.
    expect((await api.get(`/apps/${app}`)).status).toBe(200);
    const vols = (
      await api.get<{ id: string; attached_machine_id: string }[]>(`/apps/${app}/volumes`)
    ).body;
    expect(vols).toEqual([expect.objectContaining({ id: volId, attached_machine_id: a.id })]);
    // DNS is served again.
    expect((await exec(a, `nslookup -type=AAAA ${app}.internal`)).stdout).toContain(b.private_ip);
  });

  it("--reset removes every container, network, volume, address and rule it made", async () => {
    const label = labelFilter(LABEL_INSTANCE, instance);
    expect(podman("ps", "-a", "-q", "--filter", label).trim()).not.toBe("");
    const org = a.private_ip.split(":").slice(0, 3).join(":");
    const dns = `${org}::3`;
    await close();
    await resetEmulator(stateDir);
    expect(podman("ps", "-a", "-q", "--filter", label).trim()).toBe("");
    expect(podman("network", "ls", "-q", "--filter", label).trim()).toBe("");
    expect(podman("volume", "ls", "-q", "--filter", label).trim()).toBe("");
    expect(
      execFileSync("ip", ["-6", "addr", "show", "dev", "lo"], { encoding: "utf8" }),
    ).not.toContain(dns);
    expect(execFileSync("ip6tables", ["-t", "nat", "-S"], { encoding: "utf8" })).not.toContain(dns);
    expect(execFileSync("ebtables", ["-L", "FORWARD"], { encoding: "utf8" })).not.toContain(
      v4Subnet,
    );
    // A fresh start from the same dir is empty.
    await start();
    expect((await api.get<{ apps: unknown[] }>("/apps")).body.apps).toEqual([]);
  });
});
