/**
 * Generates .gen/ provider bindings with cdktf's own generator from the real
 * stategraph/fly provider's schema (`tofu providers schema -json`, what `cdktf
 * get` reads), with the provider built and mirrored by `npm run setup`.
 *
 *   ts-node scripts/gen-bindings.ts [OUTDIR]      (npm run get: OUTDIR = .gen)
 *
 * Needs OpenTofu and the provider from `npm run setup`.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { toolchain } from "../cli/toolchain";

const ROOT = path.resolve(__dirname, "..");

/** The `stategraph/fly@= VERSION` constraint that cdktf.json pins. */
export function providerConstraint(): string {
  const cdktf = JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as {
    terraformProviders: string[];
  };
  const fly = cdktf.terraformProviders.find((p) => p.startsWith("stategraph/fly@"));
  if (!fly) throw new Error("cdktf.json does not pin stategraph/fly");
  return fly;
}

/** Reads the pinned provider's schema from the provider itself, through the project's tofu. */
export function readProviderSchema(): unknown {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-schema-"));
  try {
    const [source, version] = providerConstraint().split("@");
    const config = {
      terraform: { required_providers: { fly: { source, version: version.trim() } } },
    };
    fs.writeFileSync(path.join(work, "main.tf.json"), JSON.stringify(config));
    const tools = toolchain();
    const tofu = (...args: string[]) =>
      execFileSync(tools.binary, [`-chdir=${work}`, ...args], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...tools.env },
      });
    tofu("init", "-input=false", "-no-color");
    return JSON.parse(tofu("providers", "schema", "-json"));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * OpenTofu names the provider `registry.opentofu.org/stategraph/fly` in its
 * schema; cdktf's generator only matches registry.terraform.io names (its
 * default host for `stategraph/fly`). Both hosts serve the same provider, and
 * the bindings synthesize the host-less `stategraph/fly`, so the key is renamed.
 */
export function forCdktfGenerator(schema: {
  provider_schemas?: Record<string, unknown>;
}): typeof schema {
  const renamed = Object.entries(schema.provider_schemas ?? {}).map(([k, v]) => [
    k.replace(/^registry\.opentofu\.org\//, "registry.terraform.io/"),
    v,
  ]);
  return { ...schema, provider_schemas: Object.fromEntries(renamed) };
}

export async function generateBindings(outdir: string, schema: unknown): Promise<void> {
  // cdktf's libraries ask TERRAFORM_BINARY_NAME for its version when they
  // load: load them once it names the project's tofu.
  Object.assign(process.env, toolchain().env);
  const { CodeMaker, TerraformProviderGenerator } = await import("@cdktf/provider-generator");
  const { ConstructsMakerProviderTarget, Language, TerraformProviderConstraint } =
    await import("@cdktf/commons");
  const code = new CodeMaker();
  // The generator's types only list older schema format versions; the shape is the same.
  const gen = new TerraformProviderGenerator(
    code,
    forCdktfGenerator(schema as { provider_schemas?: Record<string, unknown> }) as never,
  );
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
  Promise.resolve()
    .then(() => readProviderSchema())
    .then(async (schema) => {
      const tmp = `${outdir}.tmp`;
      fs.rmSync(tmp, { recursive: true, force: true });
      await generateBindings(tmp, schema);
      fs.rmSync(outdir, { recursive: true, force: true });
      fs.renameSync(tmp, outdir);
      console.log(`bindings for ${providerConstraint()} written to ${outdir}`);
    })
    .catch((e: Error & { stderr?: string }) => {
      console.error(`npm run get: ${e.stderr || e.message}`);
      process.exitCode = 1;
    });
}
