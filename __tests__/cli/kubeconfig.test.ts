/** What -k prints after writing the kubeconfig: each context and the one command that opens its path. */
import { kubeconfigHowTo } from "../../cli/verbs/kubeconfig";
import { demoConfig } from "./verify/recorded";

describe("kubeconfigHowTo", () => {
  const lines = kubeconfigHowTo(
    demoConfig({ clusterName: "prod", orgName: "acme", region: "ams" }),
    "/home/me/.kube/prod",
  );

  it("opens the 6PN path with a WireGuard peer of the cluster's org", () => {
    expect(lines).toContain(
      "    fly wireguard create acme ams fly-k3s-$(hostname -s) fly0.conf && sudo wg-quick up ./fly0.conf",
    );
    expect(lines).toContain("    KUBECONFIG=/home/me/.kube/prod kubectl get nodes");
    expect(lines.join("\n")).toContain("prod (current): https://prod-cp.internal:6443");
  });

  it("opens the proxy path with fly proxy on the API port of the control-plane app", () => {
    expect(lines).toContain("    fly proxy 6443:6443 -a prod-cp");
    expect(lines).toContain(
      "    KUBECONFIG=/home/me/.kube/prod kubectl --context prod-proxy get nodes",
    );
    expect(lines.join("\n")).toContain("prod-proxy: https://127.0.0.1:6443 through fly proxy");
  });
});
