import { App } from "../../.gen/providers/fly/app";
import { Machine } from "../../.gen/providers/fly/machine";
import { Volume } from "../../.gen/providers/fly/volume";
import { TerraformStack, Testing } from "cdktf";
import { ControlPlane, SERVERS_JOIN_TOGETHER } from "../../constructs/control-plane";
import { Synthesized, exampleConfig, resources, steps, synthExample } from "./fixtures";

describe("ControlPlane", () => {
  const { text, json } = synthExample();

  it("creates app fly-k3s-poc-cp in the organization", () => {
    expect(Object.values(resources(json, "fly_app"))).toEqual([
      expect.objectContaining({ name: "fly-k3s-poc-cp", org_slug: "fly-org-slug-goes-here" }),
    ]);
    expect(text).toHaveResourceWithProperties(App, { name: "fly-k3s-poc-cp" });
  });

  it("creates three volumes, one zone each, snapshots left to the snapshots-off step", () => {
    const volumes = Object.values(resources(json, "fly_volume"));
    expect(volumes).toHaveLength(3);
    for (const v of volumes) {
      expect(v).toMatchObject({
        name: "fly_k3s_poc_data",
        region: "sjc",
        size_gb: 250,
        encrypted: true,
        require_unique_zone: true,
      });
      // The provider never sends it on create; declaring it would fail after apply on Fly.
      expect(v).not.toHaveProperty("auto_backup_enabled");
    }
    expect(text).toHaveResourceWithProperties(Volume, { require_unique_zone: true });
    expect(steps(json, "snapshots-off")).toHaveLength(3);
  });

  it("creates machines ctrl-0..2 with the control-plane size, each mounting its own volume", () => {
    const machines = Object.values(resources(json, "fly_machine"));
    expect(machines.map((m) => m.name).sort()).toEqual(["ctrl-0", "ctrl-1", "ctrl-2"]);
    const mounted = new Set(machines.map((m) => (m.mount as { volume: string }).volume));
    expect(mounted.size).toBe(3);
    for (const m of machines) {
      expect(m).toMatchObject({
        region: "sjc",
        image: "fly-k3s/k3s-node:v1.36.3-k3s1",
        guest: { cpu_kind: "performance", cpus: 4, memory_mb: 16384 },
        mount: { path: "/data" },
        // max_retries declared: the provider stores 0 when Fly omits it.
        restart: { policy: "always", max_retries: 0 },
        // Created without starting: the roll step starts it once, with its final config.
        skip_launch: true,
        lifecycle: { ignore_changes: ["image", "env", "metadata", "guest", "skip_launch"] },
      });
    }
    expect(text).toHaveResourceWithProperties(Machine, { name: "ctrl-1" });
  });

  it("gives each server the cluster settings and its zone, and the joiners the bootstrap name", () => {
    const byName = Object.fromEntries(
      Object.values(resources(json, "fly_machine")).map((m) => [m.name, m]),
    );
    const env = (n: string) => byName[n].env as Record<string, string>;
    expect(env("ctrl-0")).toMatchObject({
      K3S_ROLE: "server",
      K3S_BOOTSTRAP: "true",
      K3S_CLUSTER_CIDR: "dead:beef:1:0::/56,10.1.0.0/16",
      K3S_SERVICE_CIDR: "dead:beef:2::/112,10.2.0.0/16",
      K3S_CLUSTER_DNS: "dead:beef:2::10",
      K3S_VERSION: "v1.36.3+k3s1",
      K3S_CP_APP: "fly-k3s-poc-cp",
      K3S_TOKEN_FILE: "/data/k3s-token",
    });
    expect(env("ctrl-0").K3S_ZONE).toMatch(
      /^\$\{fly_volume\.control-plane_ctrl-0_volume_\w+\.zone\}$/,
    );
    expect(env("ctrl-0")).not.toHaveProperty("K3S_BOOTSTRAP_SERVER");
    for (const n of ["ctrl-1", "ctrl-2"]) {
      expect(env(n).K3S_BOOTSTRAP).toBe("false");
      expect(env(n).K3S_BOOTSTRAP_SERVER).toMatch(
        /^\$\{fly_machine\.control-plane_ctrl-0_machine_\w+\.id\}\.vm\.fly-k3s-poc-cp\.internal$/,
      );
    }
    expect(byName["ctrl-2"].metadata).toEqual({
      fly_k3s_cluster: "fly-k3s-poc",
      fly_k3s_role: "server",
      fly_k3s_index: "2",
    });
  });

  it("tells the bootstrap server to found or join, joins the two others, then taints and writes the kubeconfig", () => {
    const ready = steps(json, "bootstrap");
    expect(ready).toHaveLength(1);
    expect(ready[0].args).toMatch(/^bootstrap --cp-app \S+ --bootstrap \S+ --wait-ready$/);
    expect(ready[0].r.triggers).toEqual({
      machine_id: expect.stringMatching(/control-plane_ctrl-0_machine_\w+\.id\}$/),
    });
    const joins = steps(json, "join");
    expect(joins.map((j) => j.id).sort()).toEqual([
      expect.stringMatching(/^control-plane_ctrl-1_join_step_/),
      expect.stringMatching(/^control-plane_ctrl-2_join_step_/),
    ]);
    for (const j of joins) {
      expect(j.r.depends_on).toContain(`null_resource.${ready[0].id}`);
      expect(j.args).toMatch(/^join --cp-app /);
    }
    const [taint] = steps(json, "taint");
    expect(taint.r.depends_on).toEqual(
      expect.arrayContaining(joins.map((j) => `null_resource.${j.id}`)),
    );
    const [kubeconfig] = steps(json, "kubeconfig");
    expect(kubeconfig.command).toContain(
      "--cluster fly-k3s-poc --server https://fly-k3s-poc-cp.internal:6443 --out $HOME/.kube/fly-k3s-poc",
    );
    expect(kubeconfig.r.depends_on).toEqual([`null_resource.${taint.id}`]);
  });

  const rollOf = (j: Synthesized, i: number) => {
    const r = steps(j, "roll").find((x) => x.id.startsWith(`control-plane_ctrl-${i}_roll_`));
    if (!r) throw new Error(`no roll step for ctrl-${i}`);
    return r;
  };

  it("starts every server as soon as its machine exists, and tells the bootstrap server once it runs", () => {
    expect(steps(json, "roll")).toHaveLength(3);
    // No roll waits for another in the graph: the deploy gives the rolls of
    // machines that have run their turns (ops/roll-turns.ts).
    for (const i of [0, 1, 2]) expect(rollOf(json, i).r.depends_on).toBeUndefined();
    const [bootstrap] = steps(json, "bootstrap");
    expect(bootstrap.r.depends_on).toEqual([`null_resource.${rollOf(json, 0).id}`]);
  });

  it("joins the two other servers side by side (SERVERS_JOIN_TOGETHER), or one after the other", () => {
    expect(SERVERS_JOIN_TOGETHER).toBe(true);
    const joinOf = (j: Synthesized, i: number) =>
      steps(j, "join").find((x) => x.id.startsWith(`control-plane_ctrl-${i}_`));
    const [bootstrap] = steps(json, "bootstrap");
    for (const i of [1, 2]) {
      expect(joinOf(json, i)?.r.depends_on).toEqual([
        `null_resource.${bootstrap.id}`,
        `null_resource.${rollOf(json, i).id}`,
      ]);
    }
    const stack = new TerraformStack(Testing.app(), "cp");
    new ControlPlane(stack, "control-plane", {
      config: exampleConfig(),
      k3sSteps: true,
      serversJoinTogether: false,
    });
    const apart = JSON.parse(Testing.synth(stack)) as Synthesized;
    expect(joinOf(apart, 2)?.r.depends_on).toEqual([
      `null_resource.${steps(apart, "bootstrap")[0].id}`,
      `null_resource.${joinOf(apart, 1)?.id}`,
      `null_resource.${rollOf(apart, 2).id}`,
    ]);
    // Their machines start at once either way.
    for (const i of [1, 2]) expect(rollOf(apart, i).r.depends_on).toBeUndefined();
  });

  it("lets BOOTSTRAP_NODE_ID pick another bootstrap server", () => {
    const { json: j } = synthExample([], 1);
    const byName = Object.fromEntries(
      Object.values(resources(j, "fly_machine")).map((m) => [
        m.name,
        m.env as Record<string, string>,
      ]),
    );
    expect(byName["ctrl-1"].K3S_BOOTSTRAP).toBe("true");
    expect(byName["ctrl-0"].K3S_BOOTSTRAP).toBe("false");
    expect(byName["ctrl-0"].K3S_BOOTSTRAP_SERVER).toMatch(/control-plane_ctrl-1_machine_/);
  });

  it("refuses an out-of-range bootstrap index", () => {
    expect(() => synthExample([], 3)).toThrow("bootstrapNodeId must be 0 to 2 (got 3)");
  });
});
