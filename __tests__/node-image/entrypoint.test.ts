import * as fs from "fs";
import * as path from "path";
import {
  checkKernelScript,
  entrypointScript,
  kernelFragment,
  renderScript,
  run,
  tempDir,
  writeKernelConfig,
} from "./helpers";

// The entrypoint stops before touching the machine (mounts, /etc/rancher, k3s)
// when the kernel check fails, so that path can run here. The image layout is
// rebuilt in a temporary directory, and a fake `k3s` on PATH records any call.
describe("images/k3s-node/entrypoint.sh", () => {
  let dir: string;
  let image: string;
  let bin: string;
  let k3sCalled: string;

  beforeAll(() => {
    dir = tempDir("entrypoint");
    image = path.join(dir, "opt", "fly-k3s");
    bin = path.join(dir, "bin");
    k3sCalled = path.join(dir, "k3s-called");
    fs.mkdirSync(path.join(image, "kernel"), { recursive: true });
    fs.mkdirSync(bin);
    fs.copyFileSync(entrypointScript, path.join(image, "entrypoint.sh"));
    fs.copyFileSync(renderScript, path.join(image, "render-config.sh"));
    fs.copyFileSync(checkKernelScript, path.join(image, "kernel", "check-kernel.sh"));
    fs.copyFileSync(kernelFragment, path.join(image, "kernel", "k3s-fly.config"));
    fs.writeFileSync(path.join(bin, "k3s"), `#!/bin/sh\necho "$@" > '${k3sCalled}'\n`, {
      mode: 0o755,
    });
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) => ({
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    K3S_ROLE: "agent",
    K3S_CP_APP: "demo-cp",
    FLY_PRIVATE_IP: "fdaa:0:18:a7b:7d:f066:b83b:2",
    FLY_MACHINE_ID: "e2865013a1d386",
    FLY_APP_NAME: "demo-ng-1",
    K3S_DATA_DIR: path.join(dir, "data", "k3s"),
    K3S_TOKEN_FILE: path.join(dir, "data", "k3s-token"),
    K3S_CONFIG_FILE: path.join(dir, "config.yaml"),
    K3S_WAIT_TIMEOUT: "0",
    ...extra,
  });

  it("refuses to start k3s when a required kernel option is missing", () => {
    const kernel = writeKernelConfig(path.join(dir, "no-vxlan.config"), { CONFIG_VXLAN: null });
    const result = run(path.join(image, "entrypoint.sh"), [], env({ K3S_KERNEL_CONFIG: kernel }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("missing: CONFIG_VXLAN is not set (required)");
    expect(result.stderr).toContain("refusing to start k3s");
    expect(result.stderr).toContain("K3S_SKIP_KERNEL_CHECK=1");
    expect(fs.existsSync(k3sCalled)).toBe(false);
    expect(fs.existsSync(path.join(dir, "config.yaml"))).toBe(false);
  });

  it("rejects an unknown role before doing anything", () => {
    const result = run(path.join(image, "entrypoint.sh"), [], env({ K3S_ROLE: "worker" }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('K3S_ROLE must be server or agent (got "worker")');
    expect(fs.existsSync(k3sCalled)).toBe(false);
  });
});
