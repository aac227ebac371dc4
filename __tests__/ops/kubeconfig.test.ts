import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { renderKubeconfig } from "../../ops/kubeconfig";
import { writePrivateFileAtomic } from "../../ops/private-file";

/** What a k3s server writes to /etc/rancher/k3s/k3s.yaml, certificates replaced by placeholders (see its header). */
const K3S_YAML = fs.readFileSync(path.join(__dirname, "../fixtures/kubeconfig/k3s.yaml"), "utf8");
const CA = "cGxhY2Vob2xkZXI6IGszcyBzZXJ2ZXIgQ0EgY2VydGlmaWNhdGU=";
const CERT = "cGxhY2Vob2xkZXI6IGszcyBhZG1pbiBjbGllbnQgY2VydGlmaWNhdGU=";
const KEY = "cGxhY2Vob2xkZXI6IGszcyBhZG1pbiBjbGllbnQga2V5";

describe("renderKubeconfig", () => {
  const out = renderKubeconfig(K3S_YAML, "prod", "https://prod-cp.internal:6443");

  it("renders two contexts from k3s's admin kubeconfig: 6PN (current) and fly proxy", () => {
    expect(out).toBe(
      [
        "apiVersion: v1",
        "kind: Config",
        "preferences: {}",
        "clusters:",
        "  - name: prod",
        "    cluster:",
        `      certificate-authority-data: ${CA}`,
        "      server: https://prod-cp.internal:6443",
        "  - name: prod-proxy",
        "    cluster:",
        `      certificate-authority-data: ${CA}`,
        "      server: https://127.0.0.1:6443",
        "users:",
        "  - name: prod",
        "    user:",
        `      client-certificate-data: ${CERT}`,
        `      client-key-data: ${KEY}`,
        "contexts:",
        "  - name: prod",
        "    context:",
        "      cluster: prod",
        "      user: prod",
        "  - name: prod-proxy",
        "    context:",
        "      cluster: prod-proxy",
        "      user: prod",
        "current-context: prod",
        "",
      ].join("\n"),
    );
  });

  it("keeps k3s's CA and admin credentials, and names nothing default", () => {
    const cfg = parse(out);
    expect(cfg.users).toHaveLength(1);
    expect(cfg.clusters.map((c: { cluster: object }) => c.cluster)).toEqual([
      expect.objectContaining({ "certificate-authority-data": CA }),
      expect.objectContaining({ "certificate-authority-data": CA }),
    ]);
    expect(out).not.toContain("default");
  });

  it("refuses a kubeconfig without a cluster or user", () => {
    expect(() => renderKubeconfig("apiVersion: v1\n", "x", "https://x")).toThrow(
      "no cluster or user",
    );
  });
});

describe("writePrivateFileAtomic", () => {
  it("writes mode 0600 and replaces an existing file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-"));
    const file = path.join(dir, "sub", "kc");
    writePrivateFileAtomic(file, "one");
    fs.chmodSync(file, 0o644);
    writePrivateFileAtomic(file, "two");
    expect(fs.readFileSync(file, "utf8")).toBe("two");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["kc"]);
  });
});
