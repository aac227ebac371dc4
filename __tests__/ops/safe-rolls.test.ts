import {
  NODE_STOP_CONFIG,
  configMatches,
  durationSeconds,
  etcdReady,
  otherServersNotReady,
  readyNodeWithIp,
  rollNode,
} from "../../ops/cluster-ops";
import { MachinesApi } from "../../ops/machines-api";

describe("stop_config in the roll", () => {
  it("reads Fly durations as seconds", () => {
    expect(durationSeconds("120s")).toBe(120);
    expect(durationSeconds("2m0s")).toBe(120);
    expect(durationSeconds(120e9)).toBe(120);
    expect(durationSeconds("soon")).toBeUndefined();
  });

  it("matches when Fly echoes the timeout in another spelling", () => {
    const current = { image: "i", stop_config: { signal: "SIGTERM", timeout: "2m0s" } };
    expect(configMatches(current, { image: "i", stop_config: NODE_STOP_CONFIG })).toBe(true);
  });

  it("differs when the machine has no stop_config yet (Terraform created it without)", () => {
    expect(configMatches({ image: "i" }, { image: "i", stop_config: NODE_STOP_CONFIG })).toBe(
      false,
    );
  });
});

describe("readiness after a restart", () => {
  const nodes = (ready: string, bootID: string) => ({
    items: [
      {
        metadata: { name: "n1" },
        status: {
          addresses: [{ type: "InternalIP", address: "fdaa::9" }],
          conditions: [{ type: "Ready", status: ready }],
          nodeInfo: { bootID },
        },
      },
    ],
  });

  it("does not count a Ready condition left from the previous boot", () => {
    expect(readyNodeWithIp(nodes("True", "old"), "fdaa::9", "new")).toBeUndefined();
    expect(readyNodeWithIp(nodes("True", "new"), "fdaa::9", "new")).toBe("n1");
    expect(readyNodeWithIp(nodes("False", "new"), "fdaa::9", "new")).toBeUndefined();
  });

  it("reads etcd health from /readyz/etcd", () => {
    expect(etcdReady("ok\n")).toBe(true);
    expect(etcdReady("[-]etcd failed: reason withheld\n")).toBe(false);
  });
});

describe("otherServersNotReady", () => {
  const node = (name: string, ip: string, ready: string, server = true) => ({
    metadata: {
      name,
      labels: server
        ? ({ "node-role.kubernetes.io/control-plane": "true" } as Record<string, string>)
        : {},
    },
    status: {
      addresses: [{ type: "InternalIP", address: ip }],
      conditions: [{ type: "Ready", status: ready }],
    },
  });
  it("lists the other servers that are not Ready, never the one being rolled or workers", () => {
    const nodes = {
      items: [
        node("a", "fdaa::1", "False"),
        node("b", "fdaa::2", "Unknown"),
        node("c", "fdaa::3", "True"),
        node("w", "fdaa::9", "False", false),
      ],
    };
    expect(otherServersNotReady(nodes, "fdaa::1")).toEqual(["b"]);
  });
});

describe("rollNode", () => {
  /** A control plane app `cp` with one machine m1 (ctrl-0) at fdaa::2. */
  function stub(opts: {
    config: Record<string, unknown>;
    bootID: string;
    etcd: string;
    nodes?: boolean;
    otherServerReady?: string;
  }) {
    const calls: string[] = [];
    const fn = (async (url: string, init: RequestInit) => {
      const u = new URL(url);
      calls.push(`${init.method ?? "GET"} ${u.pathname}`);
      let body: unknown = { ok: true };
      if (u.pathname.endsWith("/machines")) {
        body = [
          {
            id: "m1",
            name: "ctrl-0",
            state: "started",
            private_ip: "fdaa::2",
            config: opts.config,
            instance_id: "i1",
          },
        ];
      } else if (u.pathname.endsWith("/lease") && init.method === "POST") {
        body = { status: "success", data: { nonce: "n" } };
      } else if (u.pathname.endsWith("/machines/m1") && init.method === "POST") {
        body = { id: "m1", instance_id: "i2" };
      } else if (u.pathname.endsWith("/exec")) {
        const cmd = (JSON.parse(init.body as string) as { cmd: string }).cmd;
        calls.push(`exec ${cmd}`);
        let stdout = "";
        if (cmd.startsWith("cat /proc")) stdout = "boot-2\n";
        if (cmd === "k3s kubectl get nodes -o json" && opts.nodes !== false) {
          stdout = JSON.stringify({
            items: [
              {
                metadata: { name: "m1.vm.cp.internal" },
                status: {
                  addresses: [{ type: "InternalIP", address: "fdaa::2" }],
                  conditions: [{ type: "Ready", status: "True" }],
                  nodeInfo: { bootID: opts.bootID },
                },
              },
              {
                metadata: {
                  name: "m2.vm.cp.internal",
                  labels: { "node-role.kubernetes.io/control-plane": "true" },
                },
                status: {
                  addresses: [{ type: "InternalIP", address: "fdaa::3" }],
                  conditions: [{ type: "Ready", status: opts.otherServerReady ?? "True" }],
                },
              },
            ],
          });
        }
        if (cmd.includes("/readyz/etcd")) stdout = opts.etcd;
        body = { exit_code: 0, stdout, stderr: "" };
      }
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    return { api: new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn }), calls };
  }
  const readiness = { cpApp: "cp", bootstrap: "ctrl-0", etcd: true, timeoutSec: 1 };
  const desired = { image: "img:2", stop_config: NODE_STOP_CONFIG };

  it("waits for the node's new boot to be Ready and for etcd after an update", async () => {
    const { api, calls } = stub({ config: { image: "img:1" }, bootID: "boot-2", etcd: "ok" });
    await expect(rollNode(api, "cp", "ctrl-0", desired, () => {}, readiness)).resolves.toBe(
      "updated",
    );
    const execs = calls.filter((c) => c.startsWith("exec "));
    expect(execs).toEqual([
      "exec k3s kubectl get nodes -o json",
      "exec cat /proc/sys/kernel/random/boot_id",
      "exec k3s kubectl get nodes -o json",
      "exec k3s kubectl get --raw=/readyz/etcd",
    ]);
  });

  it("does not wait when nothing changed (a new machine before its join)", async () => {
    const { api, calls } = stub({ config: desired, bootID: "x", etcd: "" });
    await expect(rollNode(api, "cp", "ctrl-0", desired, () => {}, readiness)).resolves.toBe(
      "unchanged",
    );
    expect(calls.filter((c) => c.startsWith("exec "))).toEqual([]);
  });

  it("does not wait for a machine that was not a Ready node before (new, not joined yet)", async () => {
    const { api, calls } = stub({ config: { image: "img:1" }, bootID: "", etcd: "", nodes: false });
    await expect(rollNode(api, "cp", "ctrl-0", desired, () => {}, readiness)).resolves.toBe(
      "updated",
    );
    expect(calls.filter((c) => c.startsWith("exec "))).toEqual([
      "exec k3s kubectl get nodes -o json",
    ]);
  });

  it("stops the roll, saying the cluster keeps serving, when the node does not come back", async () => {
    const { api } = stub({ config: { image: "img:1" }, bootID: "boot-1", etcd: "ok" });
    await expect(rollNode(api, "cp", "ctrl-0", desired, () => {}, readiness)).rejects.toThrow(
      /^roll stopped at cp\/ctrl-0: timed out after 1s waiting for cp\/ctrl-0 \(fdaa::2\) to be a Ready node after its restart \(boot boot-2\)\. The machines not rolled yet keep their previous config, so the cluster keeps serving/,
    );
  });

  it("does not restart a server while another server is not Ready (etcd quorum)", async () => {
    const { api, calls } = stub({
      config: { image: "img:1" },
      bootID: "boot-2",
      etcd: "ok",
      otherServerReady: "Unknown",
    });
    await expect(rollNode(api, "cp", "ctrl-0", desired, () => {}, readiness)).rejects.toThrow(
      "roll not started at cp/ctrl-0: server node(s) m2.vm.cp.internal not Ready; restarting this server now could cost etcd its quorum",
    );
    expect(calls).not.toContain("POST /v1/apps/cp/machines/m1");
  });

  it("stops the roll when etcd does not report healthy", async () => {
    const { api } = stub({ config: { image: "img:1" }, bootID: "boot-2", etcd: "[-]etcd failed" });
    await expect(rollNode(api, "cp", "ctrl-0", desired, () => {}, readiness)).rejects.toThrow(
      "waiting for etcd to report healthy through cp/ctrl-0",
    );
  });
});
