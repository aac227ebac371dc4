import { MANAGED_CONFIG_FIELDS, NODE_STOP_CONFIG } from "../../contract/machine-config";
import { rollLanes } from "../../constructs/node-group";
import { resources, steps, synthExample } from "./fixtures";

// Safe rolls: the roll steps of an app are chained; with k3s on the nodes each
// waits, after restarting its machine, until the node is Ready again (servers:
// and etcd healthy), so the next one starts only then. stop_config is applied
// by the roll, never declared to Terraform.
describe("roll steps", () => {
  const rolls = (nodeGroups: string[], k3sSteps?: boolean) =>
    steps(synthExample(nodeGroups, undefined, { k3sSteps }).json, "roll");

  it("wait for Ready (servers also for etcd) when the nodes run k3s", () => {
    const all = rolls(["0"], true);
    const servers = all.filter((s) => s.id.includes("control-plane"));
    const workers = all.filter((s) => s.id.includes("node-group-0"));
    expect(servers).toHaveLength(3);
    expect(workers).toHaveLength(6);
    for (const s of servers) {
      expect(s.command).toMatch(
        / --wait-ready --cp-app '\$\{fly_app\.[^}]+\}' --bootstrap '\$\{fly_machine\./,
      );
      expect(s.command).toMatch(/ --etcd$/);
    }
    for (const w of workers) {
      expect(w.command).toContain(" --wait-ready --cp-app ");
      expect(w.command).not.toContain("--etcd");
    }
  });

  it("declare no readiness wait without k3s on the nodes", () => {
    for (const s of rolls(["0"], false)) expect(s.command).not.toContain("--wait-ready");
  });

  it("are chained one machine after the other within an app", () => {
    const all = rolls(["0"], true).filter((s) => s.id.includes("control-plane"));
    const chained = all.filter((s) => ((s.r.depends_on as string[]) ?? []).length > 0);
    expect(chained).toHaveLength(2);
    for (const s of chained) {
      expect(s.r.depends_on).toEqual(
        expect.arrayContaining([expect.stringMatching(/^null_resource\..*roll_step/)]),
      );
      expect((s.r.depends_on as string[]).filter((d) => d.includes("roll_step"))).toHaveLength(1);
    }
  });

  it("roll a node group's workers in lanes of a quarter of the group, each one at a time", () => {
    expect([1, 2, 3, 4, 7, 8, 30, 64].map(rollLanes)).toEqual([1, 1, 1, 1, 1, 2, 7, 16]);
    // The example's group of 6 has one lane: worker i after worker i - 1.
    const workers = rolls(["0"], true).filter((s) => s.id.includes("node-group-0"));
    const after = (i: number) =>
      (workers.find((w) => w.id.includes(`worker-${i}_`))?.r.depends_on ?? []) as string[];
    // The first worker waits for the last server's roll (ctrl-2 in the example).
    expect(after(0).filter((d) => d.includes("roll_step"))).toEqual([
      expect.stringContaining("control-plane_ctrl-2_roll_step"),
    ]);
    for (let i = 1; i < 6; i++) {
      expect(after(i).filter((d) => d.includes("roll_step"))).toEqual([
        expect.stringContaining(`worker-${i - 1}_roll_step`),
      ]);
    }
  });

  it("carry stop_config in the desired config, which Terraform neither declares nor ignores", () => {
    const { json } = synthExample(["0"], undefined, { k3sSteps: true });
    for (const s of steps(json, "roll")) {
      const config = (s.r.triggers as Record<string, string>).config;
      expect(config).toContain("stop_config");
      expect(config).toContain(NODE_STOP_CONFIG.signal);
    }
    for (const m of Object.values(resources(json, "fly_machine"))) {
      expect(m).not.toHaveProperty("stop_config");
      expect((m.lifecycle as { ignore_changes: string[] }).ignore_changes).toEqual([
        ...MANAGED_CONFIG_FIELDS,
      ]);
    }
  });
});
