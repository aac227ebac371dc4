import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import {
  acquireLeaseWhenFree,
  joinAndWaitReady,
  readyNodeWithIp,
  rewriteKubeconfig,
  rollMachine,
  writePrivateFileAtomic,
} from "../../ops/cluster-ops";
import { configMatches } from "../../contract/machine-config";
import { MachinesApi, MachinesApiError } from "../../ops/machines-api";

const K3S_KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

describe("rewriteKubeconfig", () => {
  it("points at the control plane's .internal name and names everything after the cluster", () => {
    const out = parse(rewriteKubeconfig(K3S_KUBECONFIG, "prod", "https://prod-cp.internal:6443"));
    expect(out.clusters).toEqual([
      {
        name: "prod",
        cluster: { "certificate-authority-data": "Q0E=", server: "https://prod-cp.internal:6443" },
      },
    ]);
    expect(out.users[0]).toEqual({
      name: "prod",
      user: { "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" },
    });
    expect(out.contexts).toEqual([{ name: "prod", context: { cluster: "prod", user: "prod" } }]);
    expect(out["current-context"]).toBe("prod");
  });

  it("refuses a kubeconfig without a cluster", () => {
    expect(() => rewriteKubeconfig("apiVersion: v1\n", "x", "https://x")).toThrow(
      "no cluster or user",
    );
  });
});

describe("writePrivateFileAtomic", () => {
  it("writes mode 0600 and replaces an existing file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-"));
    const file = path.join(dir, "sub", "kc");
    writePrivateFileAtomic(file, "one");
    fs.chmodSync(file, 0o644);
    writePrivateFileAtomic(file, "two");
    expect(fs.readFileSync(file, "utf8")).toBe("two");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["kc"]);
  });
});

describe("configMatches", () => {
  const current = {
    image: "img:1",
    env: { A: "1", B: "2" },
    guest: { cpus: 1, memory_mb: 256, cpu_kind: "shared" },
    services: [],
  };
  it("ignores key order and unmanaged fields", () => {
    expect(
      configMatches(current, {
        image: "img:1",
        env: { B: "2", A: "1" },
        guest: { cpu_kind: "shared", memory_mb: 256, cpus: 1 },
      }),
    ).toBe(true);
  });
  it("sees a changed memory size", () => {
    expect(
      configMatches(current, {
        image: "img:1",
        guest: { cpu_kind: "shared", cpus: 1, memory_mb: 512 },
      }),
    ).toBe(false);
  });
});

describe("readyNodeWithIp", () => {
  const nodes = {
    items: [
      {
        metadata: { name: "n1" },
        status: {
          addresses: [{ type: "InternalIP", address: "fdaa::2" }],
          conditions: [{ type: "Ready", status: "True" }],
        },
      },
      {
        metadata: { name: "n2" },
        status: {
          addresses: [{ type: "InternalIP", address: "fdaa::3" }],
          conditions: [{ type: "Ready", status: "False" }],
        },
      },
    ],
  };
  it("finds a Ready node by its first InternalIP", () => {
    expect(readyNodeWithIp(nodes, "fdaa::2")).toBe("n1");
    expect(readyNodeWithIp(nodes, "fdaa::3")).toBeUndefined();
    expect(readyNodeWithIp(nodes, "fdaa::4")).toBeUndefined();
  });
});

describe("rollMachine", () => {
  function stubApi(machineConfig: Record<string, unknown>, state = "started") {
    const calls: { method: string; url: string; headers: Record<string, string>; body?: string }[] =
      [];
    const fn = (async (url: string, init: RequestInit) => {
      calls.push({
        method: init.method ?? "GET",
        url,
        headers: init.headers as Record<string, string>,
        body: init.body as string | undefined,
      });
      const u = new URL(url);
      let body: unknown = { ok: true };
      if (u.pathname.endsWith("/machines")) {
        body = [{ id: "m1", name: "ctrl-0", state, config: machineConfig, instance_id: "i1" }];
      } else if (u.pathname.endsWith("/lease") && init.method === "POST") {
        body = { status: "success", data: { nonce: "nonce-1" } };
      } else if (u.pathname.endsWith("/machines/m1") && init.method === "POST") {
        body = { id: "m1", instance_id: "i2" };
      }
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    return { api: new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn }), calls };
  }

  it("does nothing when the config already matches", async () => {
    const { api, calls } = stubApi({ image: "img:1", guest: { memory_mb: 256 } });
    await expect(rollMachine(api, "a", "ctrl-0", { image: "img:1" }, () => {})).resolves.toBe(
      "unchanged",
    );
    expect(calls.map((c) => c.method)).toEqual(["GET"]);
  });

  it("updates under a lease, sending its nonce with the update and the release", async () => {
    const { api, calls } = stubApi({
      image: "img:1",
      guest: { memory_mb: 256 },
      services: [{ p: 1 }],
    });
    await expect(
      rollMachine(api, "a", "ctrl-0", { image: "img:1", guest: { memory_mb: 512 } }, () => {}),
    ).resolves.toBe("updated");
    expect(
      calls.map((c) => `${c.method} ${new URL(c.url).pathname}${new URL(c.url).search}`),
    ).toEqual([
      "GET /v1/apps/a/machines",
      "POST /v1/apps/a/machines/m1/lease",
      "POST /v1/apps/a/machines/m1",
      "GET /v1/apps/a/machines/m1/wait?state=started&timeout=60&instance_id=i2",
      "DELETE /v1/apps/a/machines/m1/lease",
    ]);
    expect(calls[2].headers["fly-machine-lease-nonce"]).toBe("nonce-1");
    expect(calls[4].headers["fly-machine-lease-nonce"]).toBe("nonce-1");
    // Unmanaged fields are kept as they are.
    expect(JSON.parse(calls[2].body ?? "")).toEqual({
      config: { image: "img:1", guest: { memory_mb: 512 }, services: [{ p: 1 }] },
    });
  });
});

describe("rollMachine on a machine that is not running", () => {
  it("starts a stopped machine whose config matches, under the lease", async () => {
    const calls: { method: string; path: string; nonce?: string }[] = [];
    const fn = (async (url: string, init: RequestInit) => {
      const u = new URL(url);
      const headers = (init.headers ?? {}) as Record<string, string>;
      calls.push({
        method: init.method ?? "GET",
        path: u.pathname + u.search,
        nonce: headers["fly-machine-lease-nonce"],
      });
      let body: unknown = { ok: true };
      if (u.pathname.endsWith("/machines")) {
        body = [{ id: "m1", name: "ctrl-0", state: "stopped", config: { image: "img:1" } }];
      } else if (u.pathname.endsWith("/lease") && init.method === "POST") {
        body = { status: "success", data: { nonce: "nonce-1" } };
      }
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const api = new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn });
    await expect(rollMachine(api, "a", "ctrl-0", { image: "img:1" }, () => {})).resolves.toBe(
      "started",
    );
    expect(calls.map((c) => `${c.method} ${c.path} ${c.nonce ?? "-"}`)).toEqual([
      "GET /v1/apps/a/machines -",
      "POST /v1/apps/a/machines/m1/lease -",
      "POST /v1/apps/a/machines/m1/start nonce-1",
      "GET /v1/apps/a/machines/m1/wait?state=started&timeout=60 -",
      "DELETE /v1/apps/a/machines/m1/lease nonce-1",
    ]);
  });
});

describe("joinAndWaitReady", () => {
  it("writes the token through exec stdin, then waits until the node is Ready", async () => {
    const execs: { machine: string; command: string[]; stdin?: string }[] = [];
    let kubectlCalls = 0;
    const fn = (async (url: string, init: RequestInit) => {
      const u = new URL(url);
      let body: unknown;
      if (u.pathname === "/v1/apps/cp/machines") {
        body = [{ id: "b1", name: "ctrl-0", private_ip: "fdaa::2", config: {} }];
      } else if (u.pathname === "/v1/apps/ng/machines") {
        body = [{ id: "w1", name: "worker-ng-0-0", private_ip: "fdaa::9", config: {} }];
      } else if (u.pathname.endsWith("/exec")) {
        const req = JSON.parse(init.body as string) as { command: string[]; stdin?: string };
        execs.push({ machine: u.pathname.split("/")[5], command: req.command, stdin: req.stdin });
        let stdout = "";
        if (req.command[0] === "cat") stdout = "K10abc::server:s3cret\n";
        if (req.command.join(" ") === "k3s kubectl get nodes -o json") {
          kubectlCalls++;
          const ready = kubectlCalls > 1 ? "True" : "False";
          stdout = JSON.stringify({
            items: [
              {
                metadata: { name: "w1.vm.ng.internal" },
                status: {
                  addresses: [{ type: "InternalIP", address: "fdaa::9" }],
                  conditions: [{ type: "Ready", status: ready }],
                },
              },
            ],
          });
        }
        body = { exit_code: 0, stdout, stderr: "" };
      }
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const api = new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn });
    const name = await joinAndWaitReady(api, "cp", "ctrl-0", "ng", "worker-ng-0-0", () => {}, 30);
    expect(name).toBe("w1.vm.ng.internal");
    expect(execs[0]).toEqual({
      machine: "b1",
      command: ["cat", "/data/k3s/server/token"],
      stdin: undefined,
    });
    // The shell script is one argv element: no word splitting (ours or Fly's) touches it.
    expect(execs[1]).toEqual({
      machine: "w1",
      command: [
        "sh",
        "-c",
        "umask 077 && cat > /data/k3s-token.tmp && mv /data/k3s-token.tmp /data/k3s-token",
      ],
      stdin: "K10abc::server:s3cret\n",
    });
    expect(kubectlCalls).toBe(2);
  }, 20000);
});

describe("acquireLeaseWhenFree", () => {
  const until = Date.parse("2026-11-25T18:30:05Z");
  const heldError = () =>
    new MachinesApiError(
      409,
      "POST",
      "/apps/a/machines/m1/lease",
      JSON.stringify({
        error: `aborted: machine ID m1 lease currently held by local@tokens.fly.io, expires at 2026-11-25T18:30:05Z`,
      }),
    );

  it("waits for a lease left by a killed step to expire, then takes it", async () => {
    let now = until - 30_000;
    let tries = 0;
    const api = {
      acquireLease: async () => {
        if (tries++ === 0) throw heldError();
        return { nonce: "n" };
      },
    } as unknown as MachinesApi;
    const lines: string[] = [];
    const waits: number[] = [];
    const lease = await acquireLeaseWhenFree(
      api,
      "a",
      { id: "m1", name: "ctrl-0" },
      120,
      "roll",
      (l) => lines.push(l),
      900,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    expect(lease).toEqual({ nonce: "n" });
    expect(waits).toEqual([31_000]);
    expect(lines).toEqual([
      "machine a/ctrl-0: leased by someone else until 2026-11-25T18:30:05.000Z (a killed or running step); waiting 31s for the lease to expire",
    ]);
  });

  it("gives up after its bound, and fails at once on other errors", async () => {
    let now = until - 3_600_000;
    const api = {
      acquireLease: async () => {
        throw heldError();
      },
    } as unknown as MachinesApi;
    const sleep = async (ms: number) => {
      now += ms;
    };
    await expect(
      acquireLeaseWhenFree(
        api,
        "a",
        { id: "m1", name: "x" },
        60,
        "d",
        () => {},
        10,
        () => now,
        sleep,
      ),
    ).rejects.toThrow("lease currently held by");
    const other = {
      acquireLease: async () => {
        throw new MachinesApiError(404, "POST", "/x", "{}");
      },
    } as unknown as MachinesApi;
    await expect(
      acquireLeaseWhenFree(
        other,
        "a",
        { id: "m1", name: "x" },
        60,
        "d",
        () => {},
        900,
        () => now,
        sleep,
      ),
    ).rejects.toThrow("HTTP 404");
  });
});
