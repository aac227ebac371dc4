import { NODE_STOP_CONFIG } from "../../contract/machine-config";
import { ETCD_WAL_DIR } from "../../contract/node-paths";
import { MachinesApi } from "../../ops/machines-api";
import { rollNode } from "../../ops/roll";
import { cpNode } from "./node-fixtures";

describe("rollNode", () => {
  interface FakeServer {
    readonly id: string;
    readonly name: string;
    readonly ip: string;
    readonly state?: string;
    /** Its node's Ready condition; "none": no node has its address. */
    readonly node?: string;
    /** What /readyz/etcd prints through it (exit 1 unless "ok"). */
    readonly readyz?: string;
    /** Whether its volume holds an etcd WAL. */
    readonly etcdData?: boolean;
    /** Exec on it fails (HTTP 412). */
    readonly unreachable?: boolean;
  }

  /**
   * A control-plane app `prod-cp`: ctrl-0 (m1, fdaa::2, being rolled, in config
   * `config`), ctrl-1 (m2, fdaa::3) and ctrl-2 (m3, fdaa::4), all healthy
   * unless `servers` says otherwise. The bootstrap server is ctrl-0.
   */
  function fakeFly(opts: {
    config: Record<string, unknown>;
    /** bootID ctrl-0's node reports (after a restart: "boot-2" is the new boot). */
    bootID: string;
    servers?: Partial<Record<"ctrl-0" | "ctrl-1" | "ctrl-2", Partial<FakeServer>>>;
    /** The node list cannot be fetched: kubectl fails, or prints something else than JSON. */
    nodeList?: "fails" | "garbage";
    role?: "server" | "agent";
  }) {
    const servers: FakeServer[] = [
      { id: "m1", name: "ctrl-0", ip: "fdaa::2" },
      { id: "m2", name: "ctrl-1", ip: "fdaa::3" },
      { id: "m3", name: "ctrl-2", ip: "fdaa::4" },
    ].map((s) => ({ ...s, ...opts.servers?.[s.name as "ctrl-0"] }));
    const calls: string[] = [];
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
    const fn = (async (url: string, init: RequestInit) => {
      const u = new URL(url);
      const method = init.method ?? "GET";
      calls.push(`${method} ${u.pathname}`);
      if (u.pathname === "/v1/apps/prod-cp/machines") {
        return json(
          servers.map((s) => ({
            id: s.id,
            name: s.name,
            state: s.state ?? "started",
            private_ip: s.ip,
            config: s.id === "m1" ? opts.config : { image: "img:1" },
            instance_id: "i1",
          })),
        );
      }
      if (u.pathname.endsWith("/lease") && method === "POST") {
        return json({ status: "success", data: { nonce: "n" } });
      }
      if (u.pathname === "/v1/apps/prod-cp/machines/m1" && method === "POST") {
        return json({ id: "m1", instance_id: "i2" });
      }
      if (!u.pathname.endsWith("/exec")) return json({ ok: true });
      const body = JSON.parse(init.body as string) as { command: string[]; cmd?: unknown };
      expect(body).not.toHaveProperty("cmd");
      const s = servers.find((x) => u.pathname === `/v1/apps/prod-cp/machines/${x.id}/exec`);
      const argv = body.command.join(" ");
      calls.push(`exec ${s?.name} ${argv}`);
      if (!s || s.unreachable) {
        return json(
          { error: `failed_precondition: machine ${s?.id} is stopped, not started` },
          412,
        );
      }
      const answer = (stdout: string, exit_code = 0) => json({ exit_code, stdout, stderr: "" });
      if (argv === "cat /proc/sys/kernel/random/boot_id") return answer("boot-2\n");
      if (argv === `test -d ${ETCD_WAL_DIR}`) return answer("", s.etcdData === false ? 1 : 0);
      if (argv === "k3s kubectl get --raw /readyz/etcd") {
        const said = s.readyz ?? "ok";
        return answer(said + "\n", said === "ok" ? 0 : 1);
      }
      if (argv === "k3s kubectl get nodes -o json") {
        if (opts.nodeList === "fails") return answer("", 1);
        if (opts.nodeList === "garbage") return answer("The connection to the server was refused");
        const items = servers
          .filter((x) => x.node !== "none")
          .map((x) => ({
            ...cpNode(`${x.id}.vm.prod-cp.internal`, x.ip, x.node ?? "True"),
            status: {
              ...cpNode("", x.ip, x.node ?? "True").status,
              nodeInfo: { bootID: x.id === "m1" ? opts.bootID : "b" },
            },
          }));
        return answer(JSON.stringify({ items }));
      }
      return answer("", 127);
    }) as unknown as typeof fetch;
    const api = new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn, retryDelayMs: 1 });
    const lines: string[] = [];
    const roll = () =>
      rollNode(api, "prod-cp", "ctrl-0", desired, (l) => lines.push(l), {
        ...readiness,
        etcd: opts.role !== "agent",
      });
    const execs = () => calls.filter((c) => c.startsWith("exec "));
    const updated = () => calls.includes("POST /v1/apps/prod-cp/machines/m1");
    return { roll, execs, updated, lines };
  }
  const readiness = { cpApp: "prod-cp", bootstrap: "ctrl-0", etcd: true, timeoutSec: 1 };
  const desired = { image: "img:2", stop_config: NODE_STOP_CONFIG };
  const old = { image: "img:1" };

  it("asks every other server before the restart, then waits for the new boot and etcd", async () => {
    const fly = fakeFly({ config: old, bootID: "boot-2" });
    await expect(fly.roll()).resolves.toBe("updated");
    expect(fly.execs()).toEqual([
      "exec ctrl-0 k3s kubectl get nodes -o json",
      "exec ctrl-1 k3s kubectl get --raw /readyz/etcd",
      "exec ctrl-2 k3s kubectl get --raw /readyz/etcd",
      "exec ctrl-0 cat /proc/sys/kernel/random/boot_id",
      "exec ctrl-0 k3s kubectl get nodes -o json",
      "exec ctrl-0 k3s kubectl get --raw /readyz/etcd",
    ]);
    expect(fly.lines).toContain(
      "machine prod-cp/ctrl-0: other servers healthy (ctrl-1, ctrl-2); restarting this one",
    );
  });

  it("does not check or wait when nothing changed", async () => {
    const fly = fakeFly({ config: desired, bootID: "x" });
    await expect(fly.roll()).resolves.toBe("unchanged");
    expect(fly.execs()).toEqual([]);
  });

  it("restarts a brand-new server (no node, no etcd data) without checking or waiting", async () => {
    const fly = fakeFly({
      config: old,
      bootID: "",
      servers: { "ctrl-0": { node: "none", etcdData: false } },
    });
    await expect(fly.roll()).resolves.toBe("updated");
    expect(fly.execs()).toEqual([
      "exec ctrl-0 k3s kubectl get nodes -o json",
      `exec ctrl-0 test -d ${ETCD_WAL_DIR}`,
    ]);
    expect(fly.lines.join("\n")).toMatch(/ctrl-0: brand new .* the roll does not wait for it/);
  });

  it("starts a stopped brand-new server, asks it once it runs, and does not wait", async () => {
    const fly = fakeFly({
      config: desired,
      bootID: "",
      servers: { "ctrl-0": { state: "stopped", node: "none", etcdData: false } },
    });
    await expect(fly.roll()).resolves.toBe("started");
    expect(fly.execs()).toEqual([
      "exec ctrl-0 k3s kubectl get nodes -o json",
      `exec ctrl-0 test -d ${ETCD_WAL_DIR}`,
    ]);
  });

  const refused = (what: RegExp) => [
    /^roll not started at prod-cp\/ctrl-0: cannot confirm that every other server is healthy: /,
    what,
    /Restarting this server now could cost etcd its quorum\. Look at the servers \(\.\/k3s\.sh --status clusters\/prod\), bring the one\(s\) named back .*, then deploy again$/,
  ];

  type Case = [
    string,
    Parameters<typeof fakeFly>[0]["servers"],
    "fails" | "garbage" | undefined,
    RegExp,
  ];
  const noList =
    /ctrl-1 \(started, fdaa::3\): cannot tell whether it is a Ready node \(no node list from prod-cp\/ctrl-0\); ctrl-2 /;
  it.each<Case>([
    [
      "another server's node is not Ready",
      { "ctrl-1": { node: "Unknown" } },
      undefined,
      /ctrl-1 \(started, fdaa::3\): its node is not Ready\./,
    ],
    [
      "another server's etcd is not healthy",
      { "ctrl-2": { readyz: "[-]etcd failed: reason withheld" } },
      undefined,
      /ctrl-2 \(started, fdaa::4\): \/readyz\/etcd through it answered "\[-\]etcd failed: reason withheld" \(exit 1\)\./,
    ],
    [
      "another server cannot be asked",
      { "ctrl-2": { state: "stopped", unreachable: true } },
      undefined,
      /ctrl-2 \(stopped, fdaa::4\): could not be asked whether etcd is healthy \(POST \/apps\/prod-cp\/machines\/m3\/exec: HTTP 412: failed_precondition: machine m3 is stopped, not started\)\./,
    ],
    ["the node list cannot be fetched (the servers hold etcd data)", {}, "fails", noList],
    ["the node list does not parse", {}, "garbage", noList],
  ])("does not restart a server when %s (etcd quorum)", async (_name, servers, nodeList, what) => {
    const fly = fakeFly({ config: old, bootID: "boot-2", servers, nodeList });
    const err = await fly.roll().catch((e: Error) => e);
    for (const re of refused(what)) expect((err as Error).message).toMatch(re);
    expect(fly.updated()).toBe(false);
  });

  it("stops the roll, saying the cluster keeps serving, when the node does not come back", async () => {
    const fly = fakeFly({ config: old, bootID: "boot-1" });
    await expect(fly.roll()).rejects.toThrow(
      /^roll stopped at prod-cp\/ctrl-0: timed out after 1s waiting for prod-cp\/ctrl-0 \(fdaa::2\) to be a Ready node after its restart \(boot boot-2\)\. The machines not rolled yet keep their previous config, so the cluster keeps serving/,
    );
  });

  it("stops the roll when etcd does not report healthy through the restarted server", async () => {
    const fly = fakeFly({
      config: old,
      bootID: "boot-2",
      servers: { "ctrl-0": { readyz: "[-]etcd failed" } },
    });
    await expect(fly.roll()).rejects.toThrow(
      "waiting for etcd to report healthy through prod-cp/ctrl-0",
    );
  });

  it("rolls a worker without waiting when the node list cannot be fetched, and says so", async () => {
    const fly = fakeFly({ config: old, bootID: "boot-2", nodeList: "fails", role: "agent" });
    await expect(fly.roll()).resolves.toBe("updated");
    expect(fly.execs()).toEqual(["exec ctrl-0 k3s kubectl get nodes -o json"]);
    expect(fly.lines[0]).toMatch(
      /^machine prod-cp\/ctrl-0: cannot tell whether it was a Ready node \(no node list from prod-cp\/ctrl-0\), so the roll does not wait for it/,
    );
  });
});
