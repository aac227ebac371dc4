/**
 * .gen/ is generated (npm run get), never edited by hand: regenerating from
 * the real provider's schema (read from the provider built by npm run setup)
 * must reproduce it exactly.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generateBindings, providerConstraint, readProviderSchema } from "../scripts/gen-bindings";
import { requireToolchain } from "./toolchain";

const ROOT = path.join(__dirname, "..");

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

describe(".gen", () => {
  it("was generated for the provider version pinned in cdktf.json", () => {
    const provider = fs.readFileSync(
      path.join(ROOT, ".gen/providers/fly/provider/index.ts"),
      "utf8",
    );
    const constraint = providerConstraint().split("@")[1];
    expect(provider).toContain(`providerVersionConstraint: '${constraint}'`);
  });

  it("matches a fresh generation from the real provider's schema", async () => {
    requireToolchain();
    const schema = readProviderSchema() as { provider_schemas: Record<string, unknown> };
    expect(Object.keys(schema.provider_schemas)).toEqual(["registry.opentofu.org/stategraph/fly"]);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-gen-"));
    await generateBindings(out, schema);
    expect(tree(path.join(out))).toEqual(tree(path.join(ROOT, ".gen")));
  }, 120000);
});
