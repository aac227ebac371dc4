import { MANAGED_CONFIG_FIELDS, NODE_STOP_CONFIG } from "../../contract/machine-config";
import { resources, steps, synthExample } from "./fixtures";

// Safe rolls: with k3s on the nodes a roll that restarts a machine waits until
// the node is Ready again (servers: and etcd healthy). The graph does not chain
// the roll steps: a new machine starts as soon as it exists, and the deploy
// gives the rolls of machines that have run their turns (ops/roll-turns.ts,
// __tests__/ops/roll-turns.test.ts). stop_config is applied by the roll, never
// declared to Terraform.
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

  it("wait for no other roll in the graph: each starts its machine as soon as it exists", () => {
    const all = rolls(["0"], true);
    expect(all).toHaveLength(9);
    for (const s of all) {
      expect(s.r.depends_on).toBeUndefined();
      // Only its own machine and volume (its zone) come before it, and the
      // bootstrap server's machine (the id a joining server's env and the
      // readiness wait name): created, not started.
      const refs = [...JSON.stringify(s.r).matchAll(/\$\{(fly_\w+\.[^.}]+)/g)].map((m) => m[1]);
      const own = s.id.replace(/_roll_step_\w+$/, "");
      const others = refs.filter((r) => !r.includes(`.${own}_`) && !r.startsWith("fly_app."));
      for (const o of others) expect(o).toMatch(/^fly_machine\.control-plane_ctrl-0_machine_/);
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
        "skip_launch",
      ]);
      expect(m.skip_launch).toBe(true);
    }
  });
});
