import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  formatStep,
  imageAppName,
  imageInputs,
  imagePlan,
  imageTag,
  inputsDigest,
  localTargetMessage,
  nodeImageCheck,
  updateConfigNodeImage,
} from "../../cli/image";

const ROOT = path.resolve(__dirname, "..", "..");
const API = "https://api.machines.dev/v1";
const plan = (push: boolean) =>
  imagePlan({
    cluster: "prod",
    org: "acme",
    k3sVersion: "v1.36.3+k3s1",
    tag: "v1.36.3-k3s1-0123456789ab",
    push,
    apiUrl: API,
  });

describe("image pipeline commands", () => {
  it("builds for linux/amd64 from the repository root, into the local docker without --push", () => {
    expect(plan(false).map((s) => formatStep(s, API))).toEqual([
      "docker buildx build --platform linux/amd64 --file images/k3s-node/Dockerfile " +
        "--build-arg K3S_VERSION=v1.36.3+k3s1 " +
        "--tag registry.fly.io/prod-images:v1.36.3-k3s1-0123456789ab --provenance=false --load .",
    ]);
  });

  it("with --push: creates the image app first, logs in with the token on stdin, pushes", () => {
    expect(plan(true).map((s) => formatStep(s, API))).toEqual([
      "# Machines API: GET https://api.machines.dev/v1/apps/prod-images; if 404, " +
        'POST https://api.machines.dev/v1/apps {"app_name":"prod-images","org_slug":"acme"}',
      `printf '%s' "$FLY_API_TOKEN" | docker login registry.fly.io --username x --password-stdin`,
      "docker buildx build --platform linux/amd64 --file images/k3s-node/Dockerfile " +
        "--build-arg K3S_VERSION=v1.36.3+k3s1 " +
        "--tag registry.fly.io/prod-images:v1.36.3-k3s1-0123456789ab --provenance=false --push .",
    ]);
  });

  it("names the image app after the cluster", () => {
    expect(imageAppName("prod")).toBe("prod-images");
  });

  it("tags with the k3s release and a digest of the image inputs", () => {
    const a = inputsDigest([{ name: "x.sh", content: "1" }]);
    const b = inputsDigest([{ name: "x.sh", content: "2" }]);
    expect(a).not.toBe(b);
    expect(imageTag("v1.36.3+k3s1", a)).toMatch(/^v1\.36\.3-k3s1-[0-9a-f]{12}$/);
  });

  it("takes every file of images/k3s-node, its kernel/ included, as an input", () => {
    expect(imageInputs(ROOT)).toEqual(
      expect.arrayContaining([
        "images/k3s-node/Dockerfile",
        "images/k3s-node/node-env.sh",
        "images/k3s-node/kernel/check-kernel.sh",
        "images/k3s-node/kernel/k3s-fly.config",
      ]),
    );
  });
});

describe("recording NODE_IMAGE in the cluster config", () => {
  const ref = "registry.fly.io/prod-images:v2";
  it("adds it when the config names no image", () => {
    const u = updateConfigNodeImage("CLUSTER_NAME=prod\n", ref, "prod-images");
    expect(u.action).toBe("added");
    expect(u.text).toMatch(/\nNODE_IMAGE="registry\.fly\.io\/prod-images:v2"\n$/);
  });
  it("replaces an earlier image of the same image app", () => {
    const u = updateConfigNodeImage(
      'A=1\nNODE_IMAGE="registry.fly.io/prod-images:v1"\nB=2',
      ref,
      "prod-images",
    );
    expect(u).toEqual({ action: "updated", text: `A=1\nNODE_IMAGE="${ref}"\nB=2` });
  });
  it("leaves another image alone", () => {
    const text = "NODE_IMAGE=ghcr.io/me/node:1\n";
    expect(updateConfigNodeImage(text, ref, "prod-images")).toEqual({
      action: "kept-other",
      text,
      other: "ghcr.io/me/node:1",
    });
  });
  it("says when it is already recorded", () => {
    expect(updateConfigNodeImage(`NODE_IMAGE='${ref}'\n`, ref, "prod-images").action).toBe(
      "unchanged",
    );
  });
});

describe("--check: is a build and push due (CI's image job asks)", () => {
  const ref = "registry.fly.io/prod-images:v1.36.3-k3s1-0123456789ab";
  it.each([
    ["none recorded", "CLUSTER_NAME=prod\n", { status: "build", image: ref }],
    [
      "an earlier image of the app (images/ or K3S_VERSION changed)",
      'NODE_IMAGE="registry.fly.io/prod-images:v1.35.0-k3s1-ffffffffffff"\n',
      { status: "build", image: ref },
    ],
    ["this checkout's image", `NODE_IMAGE="${ref}"\n`, { status: "current", image: ref }],
    [
      "an image of its own",
      "NODE_IMAGE=ghcr.io/me/node:1\n",
      { status: "other", image: "ghcr.io/me/node:1" },
    ],
  ])("%s", (_, text, expected) => {
    expect(nodeImageCheck(text, ref, "prod-images")).toEqual(expected);
  });
});

describe("npm run image on the local target", () => {
  const image = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(
      path.join(ROOT, "node_modules", ".bin", "ts-node"),
      ["--transpile-only", "bin/image.ts", ...args],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/", ...env },
        timeout: 60_000,
      },
    );

  it("says why it cannot build and what runs instead (exit 1), starting nothing", () => {
    const r = image(["clusters/local"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      localTargetMessage("clusters/local", "localhost/fly-emulator-test:latest") + "\n",
    );
    expect(r.stdout).toContain("k3s cannot be downloaded on\nthis project's machines");
  });

  it("with --dry-run exits 0", () => {
    expect(image(["clusters/local", "--dry-run"]).status).toBe(0);
  });

  it("prints the Fly commands with --dry-run when FLY_API_TOKEN is set, never the token", () => {
    const r = image(["clusters/fly-k3s-poc", "--dry-run", "--push"], {
      FLY_API_TOKEN: "fake-token-must-not-appear",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("fake-token-must-not-appear");
    expect(r.stdout).toContain("docker buildx build --platform linux/amd64");
    expect(r.stdout).toMatch(/NODE_IMAGE="registry\.fly\.io\/fly-k3s-poc-images:v1\.36\.3-k3s1-/);
  });

  it("changes no file with --dry-run", () => {
    const config = path.join(ROOT, "clusters", "fly-k3s-poc", "config");
    const before = fs.readFileSync(config, "utf8");
    image(["clusters/fly-k3s-poc", "--dry-run", "--push"], { FLY_API_TOKEN: "fake" });
    expect(fs.readFileSync(config, "utf8")).toBe(before);
  });
});
