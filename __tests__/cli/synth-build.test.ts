import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OPS_BUNDLE, SYNTH_ENTRY, ensureOpsBuild } from "../../cli/ops-build";
import { copyClusters, synthIn } from "../scratch-clusters";

const ROOT = path.join(__dirname, "..", "..");

/** Every file under `dir`, relative, with its text. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p, "utf8");
  }
  return out;
}

// The synthesis runs from a one-file bundle of main.ts (cli/stack.ts), as
// bin/fly-machines does from its own: the stacks must be the same as ts-node's.
describe("the JavaScript bundle of the synthesis (main.ts)", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-synth-build-"));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it("synthesizes every cluster exactly as main.ts run by ts-node does", () => {
    const cache = path.join(work, "cache");
    const bundle = ensureOpsBuild(ROOT, cache, SYNTH_ENTRY);
    expect(path.basename(bundle)).toBe("main.js");
    // Its own record beside bin/fly-machines' one: neither replaces the other.
    expect(ensureOpsBuild(ROOT, cache, SYNTH_ENTRY)).toBe(bundle);
    expect(path.basename(ensureOpsBuild(ROOT, cache))).toBe(OPS_BUNDLE);
    expect(ensureOpsBuild(ROOT, cache, SYNTH_ENTRY)).toBe(bundle);

    const clusters = path.join(work, "w");
    copyClusters(clusters);
    const byTsNode = synthIn(clusters, { FLY_K3S_TARGET: "local" });
    expect(byTsNode.status).toBe(0);
    const bundled = path.join(work, "bundled");
    execFileSync(process.execPath, [bundle], {
      cwd: clusters,
      env: { ...process.env, CDKTF_OUTDIR: bundled, FLY_K3S_TARGET: "local" },
    });
    expect(Object.keys(tree(bundled)).length).toBeGreaterThan(0);
    expect(tree(bundled)).toEqual(tree(byTsNode.outdir));
  });
});
