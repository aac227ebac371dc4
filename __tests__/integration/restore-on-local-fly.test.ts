/**
 * `./k3s.sh --restore SNAPSHOT clusters/local` on the local Fly: the cluster
 * (3 servers and node group 0) is created by the real deploy (OpenTofu, the
 * providers, podman containers), then the verb (cli/verbs/restore.ts) runs
 * with --yes through the real Machines API client against the emulator. A
 * recording fetch under that client keeps every request, from which the
 * machine operations are read in order. The test image runs no k3s, so this
 * is the Fly half: which machine stops and starts, when, and what each server
 * finds on its volume (the node's side is __tests__/node-image/restore-boot).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Stack } from "../../cli/stack";
import { Target } from "../../cli/target";
import { toolchain } from "../../cli/toolchain";
import { VerbContext } from "../../cli/verbs/context";
import { restore } from "../../cli/verbs/restore";
import { loadCluster } from "../../config/load";
import { Machine } from "../../contract/machines-api-types";
import { ETCD_SNAPSHOT_DIR, REJOIN_FILE, RESTORE_FILE } from "../../contract/node-paths";
import { MachinesApi } from "../../ops/machines-api";
import { copyClusters } from "../scratch-clusters";
import { requireToolchain } from "../toolchain";
import { LocalFly, startLocalFly } from "./local-fly";

jest.setTimeout(900_000);

const CP = "local-cp";
const NG = "local-ng-0";
const SNAP = "etcd-snapshot-ctrl-0-1767225600";

describe("--restore on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let work: string;
  let target: Target;
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);

  const stack = () => {
    const dir = path.join(work, "clusters/local");
    const { config } = loadCluster(dir, "clusters/local");
    return new Stack(
      config,
      toolchain({ ...process.env, FLY_K3S_USE_REGISTRY: "" }),
      target,
      log,
      work,
    );
  };
  const machines = async (app: string) =>
    (await api.listMachines(app)).filter((m) => m.state !== "destroyed");
  const byName = (ms: Machine[], name: string) => ms.find((m) => m.name === name) as Machine;
  const cat = async (app: string, m: Machine, file: string) => {
    const r = await api.exec(app, m.id, ["cat", file]);
    return r.exit_code === 0 ? r.stdout : undefined;
  };

  /** Every request the verb's client sends: method, path, exec argv, lease nonce, answer. */
  const requests: {
    method: string;
    path: string;
    argv?: string[];
    stdin?: string;
    nonce?: string;
    status?: number;
  }[] = [];
  const recording = (async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? "GET";
    const body = init.body
      ? (JSON.parse(init.body as string) as { command?: string[]; stdin?: string })
      : {};
    const headers = (init.headers ?? {}) as Record<string, string>;
    const sent = {
      method,
      path: new URL(url).pathname,
      argv: body.command,
      stdin: body.stdin,
      nonce: headers["fly-machine-lease-nonce"],
      status: undefined as number | undefined,
    };
    requests.push(sent);
    const res = await fetch(url, init);
    sent.status = res.status;
    return res;
  }) as typeof fetch;

  function context(yes: boolean): VerbContext {
    return {
      opts: {
        action: "restore",
        snapshot: SNAP,
        clusterDir: "clusters/local",
        json: false,
        yes,
        force: false,
        noVerify: false,
        help: false,
      },
      dir: "clusters/local",
      cluster: loadCluster(path.join(work, "clusters/local"), "clusters/local"),
      bootstrap: "ctrl-0",
      log,
      target: async () => target,
      api: async () =>
        new MachinesApi({ baseUrl: fly.emu.url, token: fly.emu.token, fetch: recording }),
      stack: async () => {
        throw new Error("--restore runs no stack");
      },
    };
  }

  beforeAll(async () => {
    requireToolchain();
    fly = await startLocalFly();
    api = fly.api();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-restore-"));
    copyClusters(work);
    fs.writeFileSync(path.join(work, "clusters/local/node-groups"), "0\n");
    target = {
      kind: "local",
      apiUrl: fly.emu.url,
      token: fly.emu.token,
      env: {
        FLY_API_URL: fly.emu.url,
        FLY_API_TOKEN: fly.emu.token,
        FLY_K3S_TARGET: "local",
        FLY_K3S_STATE_DIR: path.join(work, "state"),
      },
    };
    const s = stack();
    try {
      await s.prepare();
      const r = await s.deploy();
      expect(r.status).toBe(0);
    } finally {
      await s.close();
    }
  });

  afterAll(async () => {
    await fly?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("refuses without --yes and without a terminal, before any request", async () => {
    requests.length = 0;
    await expect(restore(context(false))).rejects.toThrow(
      "--restore asks for the cluster's name before it stops every server: give --yes",
    );
    expect(requests).toEqual([]);
  });

  it("stops every server, restarts them bootstrap first, then the agents, each told what to do", async () => {
    const cp = await machines(CP);
    const ng = await machines(NG);
    expect(cp.map((m) => m.name).sort()).toEqual(["ctrl-0", "ctrl-1", "ctrl-2"]);
    expect(ng.map((m) => m.name).sort()).toEqual(["worker-ng-0-0", "worker-ng-0-1"]);
    const names = new Map([...cp, ...ng].map((m) => [m.id, m.name]));
    // A local snapshot on the bootstrap server's volume, and a server that is down.
    const ctrl0 = byName(cp, "ctrl-0");
    const file = `${ETCD_SNAPSHOT_DIR}/${SNAP}`;
    const put = await api.exec(CP, ctrl0.id, [
      "sh",
      "-c",
      `mkdir -p ${ETCD_SNAPSHOT_DIR} && echo db > ${file}`,
    ]);
    expect(put.exit_code).toBe(0);
    const ctrl2 = byName(cp, "ctrl-2");
    const lease = await api.acquireLease(CP, ctrl2.id, 30, "test");
    await api.request("POST", `/apps/${CP}/machines/${ctrl2.id}/stop`, undefined, {
      "fly-machine-lease-nonce": lease.nonce,
    });
    await api.waitForState(CP, ctrl2.id, "stopped", 120);
    await api.releaseLease(CP, ctrl2.id, lease);

    lines.length = 0;
    requests.length = 0;
    const t0 = Date.now();
    const code = await restore(context(true));
    const seconds = ((Date.now() - t0) / 1000).toFixed(0);
    expect(code).toBe(0);

    // The machine operations, in order, as the emulator accepted them (the
    // emulator's rate limits answer some requests 429: the client retries those).
    const accepted = (r: (typeof requests)[number]) => r.status !== undefined && r.status < 400;
    const refused = requests.filter((r) => !accepted(r));
    const sequence = requests.flatMap((r) => {
      const m = /^\/v1\/apps\/([^/]+)\/machines\/([^/]+)\/(start|stop|exec)$/.exec(r.path);
      if (!m || r.method !== "POST" || !accepted(r)) return [];
      const who = `${m[1]}/${names.get(m[2])}`;
      if (m[3] !== "exec") {
        expect(r.nonce).toBeDefined(); // every start and stop under a lease
        return [`${m[3]} ${who}`];
      }
      const write = /umask 077 .*cat > (\S+)\.tmp/.exec(r.argv?.[2] ?? "");
      if (write) return [`write ${who} ${write[1]}: ${r.stdin?.trim()}`];
      const rm = r.argv?.[0] === "rm" && r.argv.length === 3 ? r.argv[2] : undefined;
      return rm ? [`remove ${who} ${rm}`] : [];
    });
    console.log(
      `--restore ${SNAP} on the local Fly (${seconds} s, ${requests.length} requests, ` +
        `${refused.length} answered >= 400 or not at all, each asked again: ` +
        `${refused.map((r) => `${r.status ?? "no answer"} ${r.method} ${r.path}`).join(", ") || "none"}): ` +
        `machine operations in order:\n  ` +
        sequence.join("\n  ") +
        `\nwhat it printed:\n  ${lines.join("\n  ")}`,
    );
    expect(sequence).toEqual([
      `start ${CP}/ctrl-2`,
      `write ${CP}/ctrl-1 ${REJOIN_FILE}: rejoin ctrl-0, restored from ${SNAP}`,
      `write ${CP}/ctrl-2 ${REJOIN_FILE}: rejoin ctrl-0, restored from ${SNAP}`,
      `write ${CP}/ctrl-0 ${RESTORE_FILE}: ${file}`,
      `stop ${CP}/ctrl-0`,
      `stop ${CP}/ctrl-1`,
      `stop ${CP}/ctrl-2`,
      // No k3s follows an instruction on the test image: each is removed again.
      `start ${CP}/ctrl-0`,
      `remove ${CP}/ctrl-0 ${RESTORE_FILE}`,
      `start ${CP}/ctrl-1`,
      `remove ${CP}/ctrl-1 ${REJOIN_FILE}`,
      `start ${CP}/ctrl-2`,
      `remove ${CP}/ctrl-2 ${REJOIN_FILE}`,
      `stop ${NG}/worker-ng-0-0`,
      `start ${NG}/worker-ng-0-0`,
      `stop ${NG}/worker-ng-0-1`,
      `start ${NG}/worker-ng-0-1`,
    ]);

    // Nothing is left on a volume for a later image with k3s to follow.
    const after = await machines(CP);
    expect(after.map((m) => m.state)).toEqual(["started", "started", "started"]);
    expect((await machines(NG)).map((m) => m.state)).toEqual(["started", "started"]);
    for (const m of after) {
      expect(await cat(CP, m, RESTORE_FILE)).toBeUndefined();
      expect(await cat(CP, m, REJOIN_FILE)).toBeUndefined();
    }
    for (const m of await machines(NG)) expect(await cat(NG, m, REJOIN_FILE)).toBeUndefined();

    // What it said.
    expect(lines.join("\n")).toContain("no Kubernetes is running");
    expect(lines).toContain(
      `snapshot: ${file} on ctrl-0's volume (a local snapshot; etcd-s3 is turned off for it)`,
    );
    expect(lines.at(-1)).toBe(
      `restore of ${CP} from ${SNAP}: Fly half done: ctrl-0 told to restore, ctrl-1, ctrl-2 ` +
        "to rejoin; every server stopped, then started in that order; 2 agent(s) restarted. " +
        "Nothing was restored: the node image runs no k3s",
    );
  });

  it("leaves nothing for the deploy to change", async () => {
    const s = stack();
    try {
      await s.prepare();
      expect(await s.drift()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
