/**
 * Generates .gen/ provider bindings with cdktf's own generator.
 *
 *   ts-node scripts/gen-bindings.ts [OUTDIR]
 *
 * The schema comes from the real provider when it is installed (`tofu
 * providers schema -json`, which is what `cdktf get` does) and otherwise from
 * providers/stategraph-fly/schema.json, transcribed from the provider's public
 * source (see providers/stategraph-fly/ORIGIN.md).
 */
import * as fs from "fs";
import * as path from "path";
import { CodeMaker, TerraformProviderGenerator } from "@cdktf/provider-generator";
import {
  ConstructsMakerProviderTarget,
  Language,
  TerraformProviderConstraint,
} from "@cdktf/commons";

const ROOT = path.resolve(__dirname, "..");

export function providerConstraint(): string {
  const cdktf = JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as {
    terraformProviders: string[];
  };
  const fly = cdktf.terraformProviders.find((p) => p.startsWith("stategraph/fly@"));
  if (!fly) throw new Error("cdktf.json does not pin stategraph/fly");
  return fly;
}

export async function generateBindings(outdir: string, schemaFile: string): Promise<void> {
  const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
  const code = new CodeMaker();
  // The generator's types only list older schema format versions; the shape is the same.
  const gen = new TerraformProviderGenerator(code, schema as never);
  gen.generate(
    new ConstructsMakerProviderTarget(
      new TerraformProviderConstraint(providerConstraint()),
      Language.TYPESCRIPT,
    ),
  );
  await gen.save(outdir);
}

if (require.main === module) {
  const outdir = path.resolve(process.argv[2] ?? path.join(ROOT, ".gen"));
  const schemaFile =
    process.env.FLY_PROVIDER_SCHEMA ?? path.join(ROOT, "providers/stategraph-fly/schema.json");
  generateBindings(outdir, schemaFile)
    .then(() => console.log(`bindings for ${providerConstraint()} written to ${outdir}`))
    .catch((e: Error) => {
      console.error(e.message);
      process.exitCode = 1;
    });
}
