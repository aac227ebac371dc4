/**
 * `--verify`'s runner (cli/verify/run.ts) against the local Fly, whose
 * machines are real containers of the emulator's test image (busybox, no
 * k3s): it says plainly that no Kubernetes is running and why, exits 3, and
 * applies nothing, whether it learns it from the image name or from exec.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { loadCluster } from "../../config/load";
import { ClusterConfig } from "../../config/schema";
import { Machine } from "../../contract/machines-api-types";
import * as cmd from "../../cli/verify/commands";
import { VerifyApi } from "../../cli/verify/exec";
import { runVerify } from "../../cli/verify/run";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";

jest.setTimeout(180_000);

/** The test image under another name: the image looks like a node image, and holds no k3s. */
const RENAMED = "localhost/fly-k3s-verify-no-k3s:latest";
const CLUSTER = "verifytest";

describe("--verify on the local Fly's test image", () => {
  let fly: LocalFly;
  let config: ClusterConfig;
  const calls: (readonly string[])[] = [];
  let api: VerifyApi;

  async function machine(image: string): Promise<Machine> {
    const client = fly.api();
    const created = await client.request<Machine>("POST", `/apps/${CLUSTER}-cp/machines`, {
      name: "ctrl-0",
      region: "sjc",
      config: { image, guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 } },
    });
    await client.waitForState(`${CLUSTER}-cp`, created.id, "started", 60);
    return created;
  }

  async function verify(nodeImage: string) {
    let text = "";
    const log: string[] = [];
    calls.length = 0;
    const r = await runVerify({
      config: { ...config, nodeImage },
      nodeGroups: [],
      api,
      log: (l) => log.push(l),
      json: false,
      out: (t) => (text += t),
      signals: { on: () => undefined, off: () => undefined },
    });
    return { ...r, text, flat: text.replace(/\s+/g, " "), log };
  }

  beforeAll(async () => {
    fly = await startLocalFly("verify-test-token");
    const client = fly.api();
    api = {
      listMachines: (app) => client.listMachines(app),
      exec: (app, id, command, opts) => {
        calls.push([...command]);
        return client.exec(app, id, command, opts);
      },
    };
    const local = loadCluster(path.join(__dirname, "../../clusters/local"), "clusters/local");
    config = { ...local.config, clusterName: CLUSTER };
    await client.request("POST", "/apps", { app_name: `${CLUSTER}-cp`, org_slug: "personal" });
    execFileSync("podman", ["tag", TEST_IMAGE, RENAMED]);
  });

  afterAll(async () => {
    await fly?.stop();
    execFileSync("podman", ["rmi", "--force", RENAMED], { stdio: "ignore" });
  });

  it("with the test image as NODE_IMAGE: exit 3, no exec, nothing applied", async () => {
    const m = await machine(TEST_IMAGE);
    const r = await verify(TEST_IMAGE);
    console.log(r.text);
    expect(r.exitCode).toBe(3);
    expect(r.lines).toEqual([]);
    expect(calls).toEqual([]);
    expect(r.flat).toContain(
      `no Kubernetes is running: the node image ${TEST_IMAGE} is the local Fly's test image, which holds no k3s`,
    );
    expect(r.flat).toContain("nothing was applied");
    await fly.api().destroyMachine(`${CLUSTER}-cp`, m.id, true);
  });

  it("with an image that is not known to lack k3s: exec finds no k3s, exit 3, nothing applied", async () => {
    await machine(RENAMED);
    const r = await verify(RENAMED);
    console.log(r.text);
    expect(r.exitCode).toBe(3);
    expect(r.lines).toEqual([]);
    // The one command run is the probe for the binary; nothing was applied or removed.
    expect(calls).toEqual([[...cmd.K3S_VERSION]]);
    expect(r.flat).toContain(`no Kubernetes is running: ${CLUSTER}-cp/ctrl-0 runs ${RENAMED}`);
    expect(r.flat).toContain("which holds no k3s (`k3s --version`: ");
    expect(r.log).toEqual([]);
  });
});
