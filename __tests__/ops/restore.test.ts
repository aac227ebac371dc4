/**
 * ops/restore.ts against a fake Fly (the real MachinesApi client over a fake
 * fetch): which machine is started, stopped and told what, in which order,
 * and what a node with k3s does with its instruction (its entrypoint, as
 * images/k3s-node/entrypoint.sh does: the restore file goes after the reset
 * run, or becomes restore.failed).
 */
import {
  ETCD_SNAPSHOT_DIR,
  JOIN_TOKEN_FILE,
  REJOIN_FILE,
  RESTORE_FAILED_FILE,
  RESTORE_FILE,
  SERVER_TOKEN_FILE,
} from "../../contract/node-paths";
import { MachinesApi } from "../../ops/machines-api";
import { RestoreOptions, restoreCluster } from "../../ops/restore";
import { cpNode } from "./node-fixtures";

const SNAP = "etcd-snapshot-ctrl-0-1767225600";

interface FakeMachine {
  id: string;
  name: string;
  app: string;
  ip: string;
  state: string;
  boot: number;
  files: Map<string, string>;
  /** The last content written to each file through exec (kept when the file is removed). */
  written: Map<string, string>;
}

interface FakeOptions {
  /** What a server's node does at its start with k3s: follow its instruction, or fail the restore. */
  node?: "k3s" | "none" | "restore-fails";
  /** Servers answer /readyz/etcd ok and are Ready nodes (before the restore). */
  healthy?: boolean;
  stopped?: string[];
  /** Exec writes fail on this machine. */
  readOnly?: string;
  files?: Record<string, Record<string, string>>;
}

function fakeFly(o: FakeOptions = {}) {
  const machines: FakeMachine[] = [
    ["m0", "ctrl-0", "prod-cp", "fdaa::10"],
    ["m1", "ctrl-1", "prod-cp", "fdaa::11"],
    ["m2", "ctrl-2", "prod-cp", "fdaa::12"],
    ["w0", "worker-ng-0-0", "prod-ng-0", "fdaa::20"],
    ["w1", "worker-ng-0-1", "prod-ng-0", "fdaa::21"],
  ].map(([id, name, app, ip]) => ({
    id,
    name,
    app,
    ip,
    state: o.stopped?.includes(name) ? "stopped" : "started",
    boot: 1,
    files: new Map(Object.entries(o.files?.[name] ?? { [SERVER_TOKEN_FILE]: "K10tok" })),
    written: new Map(),
  }));
  const ops: string[] = [];
  let healthy = o.healthy ?? false;
  const byId = (id: string) => machines.find((m) => m.id === id) as FakeMachine;
  const view = (m: FakeMachine) => ({
    id: m.id,
    name: m.name,
    state: m.state,
    region: "sjc",
    instance_id: `i-${m.id}`,
    private_ip: m.ip,
    config: { image: "img" },
  });
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
  /** The node list: every started machine, and a server the snapshot knew whose machine is gone. */
  const nodeItems = () => [
    cpNode("gone.vm.prod-cp.internal", "fdaa::99", "False"),
    ...machines
      .filter((m) => m.state === "started" && (healthy || o.node === "k3s"))
      .map((m) => {
        const node = cpNode(`${m.id}.vm.${m.app}.internal`, m.ip, "True");
        return {
          metadata: m.app === "prod-cp" ? node.metadata : { name: node.metadata.name },
          status: { ...node.status, nodeInfo: { bootID: `boot-${m.id}-${m.boot}` } },
        };
      }),
  ];
  /** What the node's entrypoint does at a start, with k3s. */
  const boot = (m: FakeMachine) => {
    m.boot += 1;
    if (o.node === "none" || o.node === undefined) return;
    if (m.files.has(RESTORE_FILE)) {
      if (o.node === "restore-fails") m.files.set(RESTORE_FAILED_FILE, m.files.get(RESTORE_FILE)!);
      m.files.delete(RESTORE_FILE);
    }
    m.files.delete(REJOIN_FILE);
  };
  const exec = (m: FakeMachine, argv: string[], stdin?: string) => {
    const answer = (stdout: string, exit_code = 0) => json({ exit_code, stdout, stderr: "" });
    if (m.state !== "started") return json({ error: `machine ${m.id} is ${m.state}` }, 412);
    const line = argv.join(" ");
    if (line === "cat /proc/sys/kernel/random/boot_id") return answer(`boot-${m.id}-${m.boot}\n`);
    if (argv[0] === "test") return answer("", m.files.get(argv[2]) ? 0 : 1);
    if (argv[0] === "cat") {
      const f = m.files.get(argv[1]);
      return f === undefined ? answer("", 1) : answer(f);
    }
    if (argv[0] === "rm") {
      for (const f of argv.slice(2)) m.files.delete(f);
      return answer("");
    }
    const write = /cat > (\S+)\.tmp && mv \S+ \S+$/.exec(argv[2] ?? "");
    if (argv[0] === "sh" && write) {
      if (o.readOnly === m.name) return answer("", 1);
      m.files.set(write[1], stdin ?? "");
      m.written.set(write[1], stdin ?? "");
      ops.push(`write ${m.name} ${write[1]}`);
      return answer("");
    }
    const k3sUp = o.node === "k3s" || healthy;
    if (line === "k3s kubectl get nodes -o json") {
      return k3sUp ? answer(JSON.stringify({ items: nodeItems() })) : answer("", 127);
    }
    if (line.startsWith("k3s kubectl delete node ")) {
      ops.push(`exec ${m.name} ${line}`);
      return answer("");
    }
    if (line === "k3s kubectl get --raw /readyz/etcd")
      return k3sUp ? answer("ok\n") : answer("", 127);
    return answer("", 127);
  };
  const fn = (async (url: string, init: RequestInit) => {
    const u = new URL(url);
    const method = init.method ?? "GET";
    const parts = u.pathname.split("/"); // "", v1, apps, APP, machines, ID, ACTION
    const app = parts[3];
    if (parts.length === 5 && method === "GET") {
      return json(machines.filter((m) => m.app === app).map(view));
    }
    const m = byId(parts[5]);
    const action = parts[6];
    const nonce = (init.headers as Record<string, string>)["fly-machine-lease-nonce"];
    if (action === undefined) return json(view(m));
    if (action === "lease") return json(method === "POST" ? { data: { nonce: "n1" } } : {});
    if (action === "wait") {
      const ok = u.searchParams.get("state") === m.state;
      return ok ? json({ ok: true }) : json({ error: "timeout" }, 408);
    }
    if (action === "exec") {
      const body = JSON.parse(init.body as string) as { command: string[]; stdin?: string };
      return exec(m, body.command, body.stdin);
    }
    expect(nonce).toBe("n1");
    if (action === "start") {
      ops.push(`start ${m.name}`);
      m.state = "started";
      boot(m);
      // Once restored and rejoined, the cluster answers healthy.
      if (o.node === "k3s") healthy = true;
      return json({ previous_state: "stopped" });
    }
    if (action === "stop") {
      ops.push(`stop ${m.name}`);
      m.state = "stopped";
      return json({ ok: true });
    }
    throw new Error(`unexpected ${method} ${u.pathname}`);
  }) as unknown as typeof fetch;
  const api = new MachinesApi({ baseUrl: "http://fly/v1", token: "t", fetch: fn, retryDelayMs: 1 });
  const file = (name: string, f: string) => machines.find((m) => m.name === name)!.files.get(f);
  const written = (name: string, f: string) =>
    machines.find((m) => m.name === name)!.written.get(f);
  return { api, ops, file, written, machines };
}

async function restore(fly: ReturnType<typeof fakeFly>, opts: Partial<RestoreOptions> = {}) {
  const lines: string[] = [];
  const confirm = jest.fn(async () => true);
  const result = await restoreCluster(
    fly.api,
    {
      cpApp: "prod-cp",
      bootstrap: "ctrl-0",
      agentApps: ["prod-ng-0"],
      snapshot: SNAP,
      k3s: false,
      force: false,
      timeoutSec: 2,
      confirm,
      ...opts,
    },
    (l) => lines.push(l),
  );
  return { result, lines, confirm };
}

describe("restoreCluster", () => {
  it("without k3s: tells, stops every server, starts the bootstrap server, then the others, then the agents", async () => {
    const fly = fakeFly({ stopped: ["ctrl-2"] });
    const { result, lines, confirm } = await restore(fly);
    expect(result).toBe("restored");
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(fly.ops).toEqual([
      "start ctrl-2", // stopped: started so that it can be told
      `write ctrl-1 ${REJOIN_FILE}`,
      `write ctrl-2 ${REJOIN_FILE}`,
      `write ctrl-0 ${RESTORE_FILE}`,
      "stop ctrl-0",
      "stop ctrl-1",
      "stop ctrl-2",
      "start ctrl-0",
      "start ctrl-1",
      "start ctrl-2",
      "stop worker-ng-0-0",
      "start worker-ng-0-0",
      "stop worker-ng-0-1",
      "start worker-ng-0-1",
    ]);
    // Not in the snapshot dir on ctrl-0: the bare name, for k3s to fetch from S3.
    expect(fly.written("ctrl-0", RESTORE_FILE)).toBe(`${SNAP}\n`);
    expect(fly.written("ctrl-1", REJOIN_FILE)).toBe(`rejoin ctrl-0, restored from ${SNAP}\n`);
    expect(fly.written("worker-ng-0-0", REJOIN_FILE)).toBeUndefined();
    // No k3s follows them: removed again, so a later image with k3s does not.
    for (const name of ["ctrl-0", "ctrl-1", "ctrl-2"]) {
      expect(fly.file(name, RESTORE_FILE)).toBeUndefined();
      expect(fly.file(name, REJOIN_FILE)).toBeUndefined();
    }
    expect(lines).toContain(
      "health: the node image runs no k3s, so no server can answer /readyz/etcd; nothing to refuse",
    );
    expect(lines).toContain(
      "machine prod-cp/ctrl-0 (m0): stopped (the restore stops every server)",
    );
    expect(lines).toContain(
      `machine prod-cp/ctrl-0 (m0): started (restores ${SNAP}, then runs as the only etcd member)`,
    );
    expect(lines).toContain(
      "machine prod-ng-0/worker-ng-0-0 (w0): restarted (stopped, then started) (registers again with the restored ctrl-0)",
    );
    expect(lines.at(-1)).toBe(
      `restore of prod-cp from ${SNAP}: Fly half done: ctrl-0 told to restore, ctrl-1, ctrl-2 ` +
        "to rejoin; every server stopped, then started in that order; 2 agent(s) restarted. " +
        "Nothing was restored: the node image runs no k3s",
    );
  });

  it("changes nothing when the confirmation says no", async () => {
    const fly = fakeFly();
    const { result } = await restore(fly, { confirm: async () => false });
    expect(result).toBe("declined");
    expect(fly.ops).toEqual([]);
  });

  it("refuses a healthy cluster without --force, before anything changes", async () => {
    const fly = fakeFly({ healthy: true });
    const confirm = jest.fn(async () => true);
    await expect(restore(fly, { k3s: true, confirm })).rejects.toThrow(
      "not restoring: the cluster answers healthy (ctrl-0, ctrl-1, ctrl-2: Ready nodes, /readyz/etcd ok through each)",
    );
    expect(confirm).not.toHaveBeenCalled();
    expect(fly.ops).toEqual([]);
  });

  it("with k3s: waits for each server to follow its instruction and be healthy before the next", async () => {
    const fly = fakeFly({ healthy: true, node: "k3s" });
    const { result, lines } = await restore(fly, { k3s: true, force: true });
    expect(result).toBe("restored");
    expect(lines).toContain(
      "health: the cluster answers healthy (ctrl-0, ctrl-1, ctrl-2); --force: restoring anyway",
    );
    expect(fly.ops.slice(3)).toEqual([
      "stop ctrl-0",
      "stop ctrl-1",
      "stop ctrl-2",
      "start ctrl-0",
      // A server node from the snapshot whose machine is gone: k3s drops its member too.
      "exec ctrl-0 k3s kubectl delete node gone.vm.prod-cp.internal",
      "start ctrl-1",
      "start ctrl-2",
      "stop worker-ng-0-0",
      "start worker-ng-0-0",
      "stop worker-ng-0-1",
      "start worker-ng-0-1",
    ]);
    const healthyAt = (name: string) =>
      lines.indexOf(`machine prod-cp/${name} (m${name.slice(-1)}): etcd healthy`);
    expect(healthyAt("ctrl-0")).toBeGreaterThan(-1);
    expect(healthyAt("ctrl-0")).toBeLessThan(
      lines.findIndex((l) => l.includes("ctrl-1 (m1): started")),
    );
    expect(healthyAt("ctrl-1")).toBeLessThan(
      lines.findIndex((l) => l.includes("ctrl-2 (m2): started")),
    );
    expect(lines.filter((l) => / node \S+ is Ready$/.test(l))).toHaveLength(5);
    expect(lines.at(-1)).toBe(
      `restore of prod-cp from ${SNAP}: done: ctrl-0 restored it and runs as the only etcd ` +
        "member; ctrl-1, ctrl-2 rejoined it; 2 agent(s) restarted",
    );
    // The nodes followed and removed their instructions.
    for (const name of ["ctrl-0", "ctrl-1", "ctrl-2"]) {
      expect(fly.file(name, RESTORE_FILE)).toBeUndefined();
      expect(fly.file(name, REJOIN_FILE)).toBeUndefined();
    }
  });

  it("goes ahead on a cluster that does not answer healthy, saying why", async () => {
    const fly = fakeFly({ node: "k3s", stopped: ["ctrl-2"] });
    const { result, lines } = await restore(fly, { k3s: true });
    expect(result).toBe("restored");
    expect(lines).toContain(
      "health: the cluster does not answer healthy: ctrl-2: machine stopped, no node has its address",
    );
    expect(fly.ops[0]).toBe("start ctrl-2");
  });

  it("stops at a restore k3s could not do, with the others still stopped", async () => {
    const fly = fakeFly({ node: "restore-fails" });
    await expect(restore(fly, { k3s: true })).rejects.toThrow(
      `prod-cp/ctrl-0 (m0): k3s could not restore ${SNAP} (its log says why; ${RESTORE_FAILED_FILE} keeps the instruction)`,
    );
    expect(fly.ops.at(-1)).toBe("start ctrl-0");
  });

  it("takes a snapshot from the bootstrap server's snapshot dir when it is there", async () => {
    const fly = fakeFly({
      files: {
        "ctrl-0": { [`${ETCD_SNAPSHOT_DIR}/${SNAP}`]: "db", [SERVER_TOKEN_FILE]: "K10tok" },
      },
    });
    const { lines } = await restore(fly);
    expect(fly.written("ctrl-0", RESTORE_FILE)).toBe(`${ETCD_SNAPSHOT_DIR}/${SNAP}\n`);
    expect(lines).toContain(
      `snapshot: ${ETCD_SNAPSHOT_DIR}/${SNAP} on ctrl-0's volume (a local snapshot; etcd-s3 is turned off for it)`,
    );
  });

  it("refuses a path that is not on the bootstrap server, before anything is told or stopped", async () => {
    const fly = fakeFly();
    await expect(restore(fly, { snapshot: "/data/missing.db" })).rejects.toThrow(
      "no snapshot file /data/missing.db on prod-cp/ctrl-0 (m0); no server was told or stopped",
    );
    expect(fly.ops).toEqual([]);
  });

  it("gives a bootstrap server on a new volume the cluster token of another server", async () => {
    const fly = fakeFly({ files: { "ctrl-0": {} } });
    const { lines } = await restore(fly);
    expect(fly.file("ctrl-0", JOIN_TOKEN_FILE)).toBe("K10tok\n");
    expect(lines.join("\n")).not.toContain("K10tok");
    expect(fly.ops[0]).toBe(`write ctrl-0 ${JOIN_TOKEN_FILE}`);
  });

  it("takes back what it wrote when telling a server fails, and stops nothing", async () => {
    const fly = fakeFly({ readOnly: "ctrl-0" });
    await expect(restore(fly)).rejects.toThrow(
      "telling the servers failed, so none is told and nothing was stopped",
    );
    expect(fly.ops.filter((op) => op.startsWith("stop"))).toEqual([]);
    expect(fly.file("ctrl-1", REJOIN_FILE)).toBeUndefined();
    expect(fly.file("ctrl-2", REJOIN_FILE)).toBeUndefined();
  });

  it("refuses a snapshot argument the node would refuse, before any request", async () => {
    const fly = fakeFly();
    await expect(restore(fly, { snapshot: "../x" })).rejects.toThrow('--restore "../x": give');
    expect(fly.ops).toEqual([]);
  });
});
