import * as fs from "fs";
import * as path from "path";
import { exampleConfig } from "../constructs/fixtures";
import { nodeEnv } from "../../constructs/node-env";
import { NODE_ENV_SCRIPT_PATH, NODE_ENV_VARS, nodeEnvScript } from "../../contract/node-env";
import { imageDir, repoRoot, run, tempDir } from "./helpers";

// One owner for the node environment: NODE_ENV_VARS in contract/node-env.ts.
// The image's scripts source images/k3s-node/node-env.sh, written from it.

const GENERATED = path.join(repoRoot, NODE_ENV_SCRIPT_PATH);
const kernelDir = path.join(imageDir, "kernel");
const scripts = [
  ...fs.readdirSync(imageDir).map((f) => path.join(imageDir, f)),
  ...fs.readdirSync(kernelDir).map((f) => path.join(kernelDir, f)),
].filter((f) => f.endsWith(".sh") && f !== GENERATED);
const tableNames = Object.keys(NODE_ENV_VARS);

/** K3S_* names in `text`; with `code`, outside comments only. */
function k3sNames(text: string, code = false): Set<string> {
  const body = code
    ? text
        .split("\n")
        .filter((l) => !/^\s*#/.test(l))
        .join("\n")
    : text;
  return new Set(body.match(/\bK3S_[A-Z0-9_]+\b/g) ?? []);
}

describe("the node environment contract", () => {
  it(`${NODE_ENV_SCRIPT_PATH} is what contract/node-env.ts writes`, () => {
    const committed = fs.readFileSync(GENERATED, "utf8");
    // On failure: npm run image -- --write-env
    expect(committed).toBe(nodeEnvScript());
  });

  it.each(scripts.map((s) => [path.relative(repoRoot, s), s]))(
    "%s uses only K3S_* names the table defines",
    (_rel, file) => {
      const unknown = [...k3sNames(fs.readFileSync(file, "utf8"))].filter(
        (n) => !tableNames.includes(n),
      );
      expect(unknown).toEqual([]);
    },
  );

  it("every table entry is read by some script (outside comments)", () => {
    const read = new Set(scripts.flatMap((f) => [...k3sNames(fs.readFileSync(f, "utf8"), true)]));
    expect(tableNames.filter((n) => !read.has(n))).toEqual([]);
  });

  it("the Dockerfile sets only names the table defines", () => {
    const dockerfile = fs.readFileSync(path.join(imageDir, "Dockerfile"), "utf8");
    expect([...k3sNames(dockerfile)].filter((n) => !tableNames.includes(n))).toEqual([]);
  });

  it("the stack sets only table entries marked as set by the stack", () => {
    const config = exampleConfig();
    const env = {
      ...nodeEnv(config, { role: "server", bootstrap: false, bootstrapServer: "b", zone: "z" }),
      ...nodeEnv(config, { role: "agent", bootstrap: false, zone: "z" }),
    };
    const table = NODE_ENV_VARS as Record<string, { setBy: string }>;
    expect(Object.keys(env).filter((n) => table[n]?.setBy !== "stack")).toEqual([]);
  });

  it("sourcing the file applies the defaults and keeps what is set", () => {
    const script = `source ${JSON.stringify(GENERATED)}; printf '%s\\n' "$K3S_DATA_DIR" "$K3S_STATE_DIR" "$K3S_WAIT_TIMEOUT" "$K3S_PEER_PING_URL" "\${#NODE_ENV_NAMES[@]}"`;
    const dir = tempDir("node-env");
    const tmp = path.join(dir, "probe.sh");
    fs.writeFileSync(tmp, script);
    try {
      const r = run(tmp, [], { K3S_DATA_DIR: "/vol/k3s", K3S_CP_APP: "demo-cp" });
      expect(r.stdout.split("\n").slice(0, 5)).toEqual([
        "/vol/k3s",
        "/vol/fly-k3s",
        NODE_ENV_VARS.K3S_WAIT_TIMEOUT.default,
        "https://demo-cp.internal:6443/ping",
        String(tableNames.length),
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
