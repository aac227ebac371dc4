/**
 * Shrinking and removing a node group on the local Fly, with the real
 * OpenTofu and providers: a lowered NODE_GROUP_SIZE destroys the group's
 * highest workers, and `./k3s.sh -r GROUP` (its verb, on a scratch copy of
 * clusters/) leaves nothing of the group on the local Fly or in node-groups,
 * and the control plane as it was. The test image runs no k3s, so the drains
 * are only said to have nothing to do (they are unit-tested in
 * __tests__/ops/drain.test.ts and shrink.test.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadCluster } from "../../config/load";
import { Stack } from "../../cli/stack";
import { Target } from "../../cli/target";
import { toolchain } from "../../cli/toolchain";
import { removeNodeGroup } from "../../cli/verbs/remove";
import { MachinesApi } from "../../ops/machines-api";
import { copyClusters } from "../scratch-clusters";
import { requireToolchain } from "../toolchain";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";

jest.setTimeout(900_000);

const CP = "local-cp";
const NG = "local-ng-0";
const DIR = "clusters/local";

describe("node groups shrink and go on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let work: string;
  let target: Target;
  let lines: string[];
  const log = (l: string) => lines.push(l);
  const tools = () => toolchain({ ...process.env, FLY_K3S_USE_REGISTRY: "" });
  const cluster = () => loadCluster(path.join(work, DIR), DIR);
  const groupsFile = () => path.join(work, DIR, "node-groups");
  const configFile = () => path.join(work, DIR, "config");

  async function deploy(): Promise<number> {
    lines = [];
    const s = new Stack(cluster().config, tools(), target, log, work);
    try {
      await s.prepare();
      return (await s.deploy()).status;
    } finally {
      await s.close();
    }
  }
  /** The machines and volumes Fly holds in `app` (none when Fly has no such app). */
  async function live(app: string) {
    const org = await api.appOrg(app);
    if (org === undefined) return { app: false, machines: [], volumes: [] };
    return {
      app: true,
      machines: (await api.listMachines(app)).filter((m) => m.state !== "destroyed"),
      volumes: (await api.listVolumes(app)).filter((v) => v.state !== "pending_destroy"),
    };
  }

  beforeAll(async () => {
    requireToolchain();
    fly = await startLocalFly();
    api = fly.api();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-remove-group-"));
    copyClusters(work);
    const config = fs.readFileSync(configFile(), "utf8");
    expect(config).toContain(`NODE_IMAGE=${TEST_IMAGE}\n`);
    expect(config).toContain("NODE_GROUP_SIZE=2\n");
    fs.writeFileSync(groupsFile(), "# node groups\n0\n");
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
  });

  afterAll(async () => {
    await fly?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("creates the control plane and node group 0 (two workers)", async () => {
    expect(await deploy()).toBe(0);
    const ng = await live(NG);
    expect(ng.machines.map((m) => m.name).sort()).toEqual(["worker-ng-0-0", "worker-ng-0-1"]);
    expect(ng.volumes).toHaveLength(2);
  });

  it("a lowered NODE_GROUP_SIZE destroys the highest worker, said to have no node to drain", async () => {
    const text = fs.readFileSync(configFile(), "utf8");
    fs.writeFileSync(configFile(), text.replace("NODE_GROUP_SIZE=2\n", "NODE_GROUP_SIZE=1\n"));
    expect(await deploy()).toBe(0);
    console.log(`deploy after NODE_GROUP_SIZE=2 -> 1:\n  ${lines.join("\n  ")}`);
    expect(lines).toContain(
      "machine worker-ng-0-1 of local-ng-0 is no longer declared (NODE_GROUP_SIZE lowered, or node group 0 removed): the apply destroys it and its volume",
    );
    expect(lines).toContain(
      `machine worker-ng-0-1: its image ${TEST_IMAGE} runs no k3s, so there is no node to drain`,
    );
    const ng = await live(NG);
    expect(ng.machines.map((m) => m.name)).toEqual(["worker-ng-0-0"]);
    expect(ng.volumes).toHaveLength(1);
  });

  it("-r refuses an unknown group and, without a terminal, asks for --yes; nothing starts", async () => {
    lines = [];
    const refuse = (group: string, yes: boolean) =>
      removeNodeGroup({
        root: work,
        dir: DIR,
        cluster: cluster(),
        group,
        yes,
        log,
        target: () => Promise.reject(new Error("no target may be chosen")),
        tools,
      });
    await expect(refuse("7", true)).resolves.toBe(1);
    expect(lines[0]).toMatch(
      /^node group 7 is not recorded in clusters\/local\/node-groups \(recorded: 0\); nothing was done/,
    );
    await expect(refuse("0", false)).rejects.toThrow(
      "-r asks for confirmation: give --yes to remove without a terminal",
    );
  });

  it("-r 0 --yes leaves nothing of the group on the local Fly or in node-groups, and the control plane untouched", async () => {
    const cpBefore = (await live(CP)).machines.map((m) => `${m.id} ${m.instance_id} ${m.state}`);
    const cpVolumes = (await live(CP)).volumes.map((v) => v.id).sort();
    expect(cpBefore).toHaveLength(3);
    const groupIds = (await live(NG)).machines.map((m) => m.id);
    expect(groupIds).toHaveLength(1);
    lines = [];
    const printed: string[] = [];
    const code = await removeNodeGroup({
      root: work,
      dir: DIR,
      cluster: cluster(),
      group: "0",
      yes: true,
      log,
      target: async () => target,
      tools,
      print: (l) => printed.push(l),
    });
    console.log(
      `-r 0 --yes on the local Fly (exit ${code}):\n  stderr:\n    ${lines.join("\n    ")}\n` +
        `  stdout:\n    ${printed.join("\n    ")}`,
    );
    expect(code).toBe(0);
    expect(printed).toEqual([
      "removed node group 0 of cluster local: 1 apps, 1 machines, 1 volumes; clusters/local/node-groups no longer lists it",
    ]);
    expect(lines.join("\n")).toContain("no Kubernetes is running");
    expect(await live(NG)).toEqual({ app: false, machines: [], volumes: [] });
    const { apps, containers, volumes } = await fly.leftovers();
    expect(JSON.stringify(apps)).not.toContain(NG);
    // Its machine's container is gone from podman; the podman volumes left are the servers'.
    expect(containers.filter((c) => groupIds.some((id) => c.includes(id)))).toEqual([]);
    expect(volumes).toHaveLength(cpVolumes.length);
    expect(fs.readFileSync(groupsFile(), "utf8")).toBe("# node groups\n");
    expect(cluster().nodeGroups).toEqual([]);
    const cpAfter = await live(CP);
    expect(cpAfter.machines.map((m) => `${m.id} ${m.instance_id} ${m.state}`)).toEqual(cpBefore);
    expect(cpAfter.volumes.map((v) => v.id).sort()).toEqual(cpVolumes);

    // A second run: the group is no longer recorded.
    lines = [];
    const again = await removeNodeGroup({
      root: work,
      dir: DIR,
      cluster: cluster(),
      group: "0",
      yes: true,
      log,
      target: async () => target,
      tools,
    });
    expect(again).toBe(1);
    expect(lines[0]).toContain("(recorded: none)");
  });
});
