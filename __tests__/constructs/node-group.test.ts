import { Machine } from "../../.gen/providers/fly/machine";
import { resources, steps, synthExample } from "./fixtures";

describe("NodeGroup", () => {
  const { text, json } = synthExample(["0"]);

  it("adds app fly-k3s-poc-ng-0 with NODE_GROUP_SIZE volumes and machines", () => {
    expect(
      Object.values(resources(json, "fly_app"))
        .map((a) => a.name)
        .sort(),
    ).toEqual(["fly-k3s-poc-cp", "fly-k3s-poc-ng-0"]);
    const workers = Object.values(resources(json, "fly_machine")).filter((m) =>
      String(m.name).startsWith("worker-"),
    );
    expect(workers.map((m) => m.name).sort()).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `worker-ng-0-${i}`),
    );
    expect(Object.values(resources(json, "fly_volume"))).toHaveLength(9);
    expect(Object.values(resources(json, "fly_machine"))).toHaveLength(9);
    for (const w of workers) {
      expect(w).toMatchObject({
        guest: { cpu_kind: "performance", cpus: 2, memory_mb: 16384 },
        metadata: { fly_k3s_role: "agent", fly_k3s_node_group: "0" },
      });
      expect(w.env).toMatchObject({ K3S_ROLE: "agent", K3S_CP_APP: "fly-k3s-poc-cp" });
      expect(w.env).not.toHaveProperty("K3S_BOOTSTRAP_SERVER");
    }
    expect(text).toHaveResourceWithProperties(Machine, { name: "worker-ng-0-5" });
  });

  it("joins every worker once the bootstrap server is Ready, beside the other servers' joins", () => {
    const [bootstrap] = steps(json, "bootstrap");
    const serverJoins = steps(json, "join").filter((j) => j.id.startsWith("control-plane_"));
    const workerJoins = steps(json, "join").filter((j) => j.id.startsWith("node-group-0_"));
    expect(serverJoins).toHaveLength(2);
    expect(workerJoins).toHaveLength(6);
    for (const j of workerJoins) {
      expect(j.r.depends_on).toContain(`null_resource.${bootstrap.id}`);
      for (const s of serverJoins) expect(j.r.depends_on).not.toContain(`null_resource.${s.id}`);
      expect(j.r.depends_on).not.toContain(`null_resource.${steps(json, "taint")[0].id}`);
    }
  });

  it("declares one app per recorded group", () => {
    const { json: two } = synthExample(["0", "gpu"]);
    expect(Object.values(resources(two, "fly_app")).map((a) => a.name)).toContain(
      "fly-k3s-poc-ng-gpu",
    );
    expect(Object.values(resources(two, "fly_machine"))).toHaveLength(15);
  });
});
