import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { rewriteKubeconfig } from "../../ops/kubeconfig";
import { writePrivateFileAtomic } from "../../ops/private-file";

const K3S_KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

describe("rewriteKubeconfig", () => {
  it("points at the control plane's .internal name and names everything after the cluster", () => {
    const out = parse(rewriteKubeconfig(K3S_KUBECONFIG, "prod", "https://prod-cp.internal:6443"));
    expect(out.clusters).toEqual([
      {
        name: "prod",
        cluster: { "certificate-authority-data": "Q0E=", server: "https://prod-cp.internal:6443" },
      },
    ]);
    expect(out.users[0]).toEqual({
      name: "prod",
      user: { "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" },
    });
    expect(out.contexts).toEqual([{ name: "prod", context: { cluster: "prod", user: "prod" } }]);
    expect(out["current-context"]).toBe("prod");
  });

  it("refuses a kubeconfig without a cluster", () => {
    expect(() => rewriteKubeconfig("apiVersion: v1\n", "x", "https://x")).toThrow(
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
