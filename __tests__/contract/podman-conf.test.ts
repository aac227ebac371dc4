/** The local Fly's project-scoped podman settings (contract/podman-conf.ts). */
import { PODMAN_CONF_TEXT, podmanConfEnv } from "../../contract/podman-conf";

describe("the podman settings file", () => {
  it("sets runc and no default ulimits", () => {
    expect(PODMAN_CONF_TEXT).toContain('[engine]\nruntime = "runc"');
    expect(PODMAN_CONF_TEXT).toContain("[containers]\ndefault_ulimits = []");
  });

  it.each([
    ["4.3.1", { CONTAINERS_CONF: "/c/containers.conf" }],
    ["4.4.4", { CONTAINERS_CONF: "/c/containers.conf" }],
    ["4.5.0", { CONTAINERS_CONF_OVERRIDE: "/c/containers.conf" }],
    ["5.4.2", { CONTAINERS_CONF_OVERRIDE: "/c/containers.conf" }],
    ["v4.9.3", { CONTAINERS_CONF_OVERRIDE: "/c/containers.conf" }],
  ])("podman %s reads it through %j", (version, env) => {
    expect(podmanConfEnv(version, "/c/containers.conf")).toEqual(env);
  });
});
