import {
  ExecAnswer,
  NodeList,
  OtherServer,
  RollFacts,
  etcdReady,
  readyNodeWithIp,
  rollNode,
  rollPrecheck,
  servedBefore,
} from "../../ops/cluster-ops";
import { NODE_STOP_CONFIG, configMatches, durationSeconds } from "../../contract/machine-config";
import { MachinesApi } from "../../ops/machines-api";
import { ETCD_WAL_DIR } from "../../contract/node-paths";

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

/** A control-plane node at `ip` whose Ready condition is `ready`. */
const cpNode = (name: string, ip: string, ready: string) => ({
  metadata: { name, labels: { "node-role.kubernetes.io/control-plane": "true" } },
  status: {
    addresses: [{ type: "InternalIP", address: ip }],
    conditions: [{ type: "Ready", status: ready }],
  },
});

// The decision before restarting a server (ctrl-0 at fdaa::2; the other
// servers ctrl-1 at fdaa::3 and ctrl-2 at fdaa::4), and whether the roll
// waits for it after the restart.
describe("the roll's decision for a server", () => {
  const ok = (stdout: string, exitCode = 0): ExecAnswer => ({
    answered: true,
    exitCode,
    stdout,
    stderr: "",
  });
  const unreachable: ExecAnswer = {
    answered: false,
    why: "POST /apps/cp/machines/m3/exec: HTTP 412: failed_precondition: machine m3 is stopped, not started",
  };
  const walYes = ok("");
  const walNo = ok("", 1);
  const list = (ready: Record<string, string>): NodeList => ({
    items: Object.entries(ready).map(([ip, r]) => cpNode(`${ip}-node`, ip, r)),
  });
  const healthy = list({ "fdaa::2": "True", "fdaa::3": "True", "fdaa::4": "True" });
  const other = (name: string, ip: string, o: Partial<OtherServer> = {}): OtherServer => ({
    name,
    state: "started",
    private_ip: ip,
    readyz: ok("ok\n"),
    ...o,
  });
  const others = [other("ctrl-1", "fdaa::3"), other("ctrl-2", "fdaa::4")];
  const self = (f: Partial<RollFacts> = {}): RollFacts => ({
    server: true,
    machine: { name: "ctrl-0", state: "started", private_ip: "fdaa::2" },
    nodes: healthy,
    ...f,
  });

  /** What rollNode does for a running server: check only one that served, then wait for it. */
  const decide = (f: RollFacts, o: readonly OtherServer[]) => {
    const wait = servedBefore(f);
    return { wait, blocking: wait ? rollPrecheck(f.nodes, o, "cp/ctrl-0") : [] };
  };

  it.each<[string, RollFacts, OtherServer[], boolean, RegExp[]]>([
    ["all other servers healthy: restart, then wait", self(), others, true, []],
    [
      "one other server's node NotReady: stop",
      self({ nodes: list({ "fdaa::2": "True", "fdaa::3": "True", "fdaa::4": "Unknown" }) }),
      others,
      true,
      [/^ctrl-2 \(started, fdaa::4\): its node is not Ready$/],
    ],
    [
      "one other server's etcd not ok: stop",
      self(),
      [others[0], other("ctrl-2", "fdaa::4", { readyz: ok("[-]etcd failed: reason withheld", 1) })],
      true,
      [
        /^ctrl-2 .*: \/readyz\/etcd through it answered "\[-\]etcd failed: reason withheld" \(exit 1\)$/,
      ],
    ],
    [
      "one other server cannot be asked: stop",
      self(),
      [others[0], other("ctrl-2", "fdaa::4", { state: "stopped", readyz: unreachable })],
      true,
      [/^ctrl-2 \(stopped, fdaa::4\): could not be asked whether etcd is healthy \(.*HTTP 412/],
    ],
    [
      "node list unavailable, the others hold etcd data: stop",
      self({ nodes: undefined, etcdData: walYes }),
      [
        other("ctrl-1", "fdaa::3", { etcdData: walYes }),
        other("ctrl-2", "fdaa::4", { etcdData: walYes }),
      ],
      true,
      [
        /^ctrl-1 .*: cannot tell whether it is a Ready node \(no node list from cp\/ctrl-0\)$/,
        /^ctrl-2 /,
      ],
    ],
    [
      "node list unavailable and the server itself cannot be asked: served, stop",
      self({ nodes: undefined, etcdData: unreachable }),
      [other("ctrl-1", "fdaa::3", { etcdData: unreachable, readyz: unreachable }), others[1]],
      true,
      [/^ctrl-1 .*: cannot tell whether it is a Ready node .*, could not be asked/, /^ctrl-2 /],
    ],
    [
      "brand-new machine (no node, no etcd data on its volume): restart without waiting",
      self({ nodes: list({}), etcdData: walNo }),
      [],
      false,
      [],
    ],
    [
      "brand-new machine (never booted, state created): restart without waiting",
      self({
        nodes: undefined,
        machine: { name: "ctrl-0", state: "created", private_ip: "fdaa::2" },
      }),
      [],
      false,
      [],
    ],
    [
      "a node that is not Ready has served: the roll still checks and waits",
      self({ nodes: list({ "fdaa::2": "False", "fdaa::3": "True", "fdaa::4": "True" }) }),
      others,
      true,
      [],
    ],
    [
      "other servers not joined yet (no node, no etcd data; one never booted) do not count",
      self({ nodes: list({ "fdaa::2": "True" }) }),
      [
        other("ctrl-1", "fdaa::3", { etcdData: walNo, readyz: undefined }),
        other("ctrl-2", "fdaa::4", { state: "created", readyz: undefined }),
      ],
      true,
      [],
    ],
    [
      "another server holding etcd data but no node: stop",
      self({ nodes: list({ "fdaa::2": "True", "fdaa::3": "True" }) }),
      [others[0], other("ctrl-2", "fdaa::4", { etcdData: walYes })],
      true,
      [/^ctrl-2 .*: no node has its address$/],
    ],
  ])("%s", (_name, facts, otherServers, wait, blocking) => {
    const d = decide(facts, otherServers);
    expect(d.wait).toBe(wait);
    expect(d.blocking).toHaveLength(blocking.length);
    blocking.forEach((re, i) => expect(d.blocking[i]).toMatch(re));
  });

  it("counts an agent as served only when it is a Ready node (no list: cannot tell, no wait)", () => {
    const agent = (nodes?: NodeList): RollFacts => ({ ...self({ nodes }), server: false });
    expect(servedBefore(agent(healthy))).toBe(true);
    expect(servedBefore(agent(list({ "fdaa::2": "False" })))).toBe(false);
    expect(servedBefore(agent(undefined))).toBe(false);
  });
});

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
