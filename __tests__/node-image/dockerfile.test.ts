import * as fs from "fs";
import * as path from "path";
import { imageDir } from "./helpers";

const dockerfile = fs.readFileSync(path.join(imageDir, "Dockerfile"), "utf8");

describe("images/k3s-node/Dockerfile", () => {
  it("pins every base image by digest", () => {
    const froms = dockerfile.split("\n").filter((l) => /^FROM\s/i.test(l));
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) expect(from).toMatch(/^FROM\s+\S+@sha256:[0-9a-f]{64}(\s|$)/);
  });

  it("copies every script of the image, the generated node-env.sh included", () => {
    const scripts = fs.readdirSync(imageDir).filter((f) => f.endsWith(".sh"));
    expect(scripts).toContain("node-env.sh");
    for (const s of scripts) expect(dockerfile).toContain(`images/k3s-node/${s}`);
  });

  it("copies kernel/ to /opt/fly-k3s/kernel/, where entrypoint.sh runs the check", () => {
    const files = fs.readdirSync(path.join(imageDir, "kernel")).sort();
    expect(files).toEqual(["check-kernel.sh", "k3s-fly.config"]);
    const copy = dockerfile.split("\n").find((l) => /^COPY\s.*\/opt\/fly-k3s\/kernel\/$/.test(l));
    expect(copy?.split(/\s+/).slice(1, -1).sort()).toEqual(
      files.map((f) => `images/k3s-node/kernel/${f}`),
    );
    const entrypoint = fs.readFileSync(path.join(imageDir, "entrypoint.sh"), "utf8");
    expect(entrypoint).toContain('"$here/kernel/check-kernel.sh"');
  });
});
