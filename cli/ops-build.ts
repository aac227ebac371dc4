/**
 * A one-file JavaScript bundle of `bin/fly-machines.ts`, so a provisioner
 * step starts in a tenth of a second instead of paying ts-node's start-up
 * (about a second of CPU each; a 33-node deploy runs ~70 steps). esbuild
 * bundles the entry point, the project modules it imports and the packages
 * they use into one CommonJS file that needs nothing else at run time.
 *
 * The bundle is kept in the cache (OPS_JS_DIR of contract/cache-layout.ts):
 *
 *   <OPS_JS_DIR>/<key>/fly-machines.js       the bundle
 *   <OPS_JS_DIR>/checkouts/<checkout>.json   a checkout's last build: its key and inputs
 *
 * The key is the content of every input of the bundle (each file esbuild
 * read, packages included; tsconfig.json), esbuild's version and the build
 * options. A call hashes the inputs its checkout's last build named: when they
 * give that build's key, the bundle is used as it is (esbuild does not run);
 * otherwise esbuild builds again, and the inputs it reports make the new key.
 * A file that changes what is imported is itself an input, so the list stays
 * complete. `bin/fly-machines` runs the bundle when FLY_K3S_OPS_JS names it
 * (the toolchain's environment does), and falls back to ts-node otherwise.
 */
import { createHash } from "crypto";
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";

/** The project-relative entry point the provisioners run. */
export const OPS_ENTRY = "bin/fly-machines.ts";

/** The bundle's file name in its key's directory. */
export const OPS_BUNDLE = "fly-machines.js";

/** esbuild's options (part of the key). Node 20 is package.json's oldest engine. */
const OPTIONS = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
} as const satisfies esbuild.BuildOptions;

/** Inputs of every build besides those esbuild reports reading. */
const ALWAYS = ["tsconfig.json"];

/**
 * The other entry point built the same way: `main.ts`, the synthesis
 * (cli/stack.ts runs its bundle instead of starting ts-node, which spends
 * about two seconds of CPU on the construct library and the provider
 * bindings). Its bundle is `<OPS_JS_DIR>/<key>/main.js`.
 */
export const SYNTH_ENTRY = "main.ts";

/** The file name of an entry point's bundle. */
const bundleName = (entry: string) =>
  entry === OPS_ENTRY ? OPS_BUNDLE : `${path.basename(entry, ".ts")}.js`;

/** Builds the bundle in memory: its text and its inputs, relative to `root`, sorted. */
export function bundleOps(
  root: string,
  entry: string = OPS_ENTRY,
): { js: Uint8Array; inputs: string[] } {
  const r = esbuild.buildSync({
    ...OPTIONS,
    entryPoints: [path.join(root, entry)],
    absWorkingDir: root,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = [...new Set([...ALWAYS, ...Object.keys(r.metafile.inputs)])].sort();
  return { js: r.outputFiles[0].contents, inputs };
}

/**
 * The key of a build of these inputs (paths relative to `root`): their
 * contents, esbuild's version and the options; undefined when one of them is
 * gone. Pure but for reading the inputs.
 */
export function opsBuildKey(
  root: string,
  inputs: readonly string[],
  read: (file: string) => Buffer = (f) => fs.readFileSync(path.join(root, f)),
): string | undefined {
  const h = createHash("sha256").update(`esbuild ${esbuild.version}\n${JSON.stringify(OPTIONS)}\n`);
  for (const file of [...inputs].sort()) {
    let content: Buffer;
    try {
      content = read(file);
    } catch {
      return undefined;
    }
    h.update(`${file}\n${content.length}\n`).update(content);
  }
  return h.digest("hex").slice(0, 16);
}

interface LastBuild {
  readonly key: string;
  readonly inputs: string[];
}

/** Writes a file whole or not at all (a temporary file renamed into place). */
function writeAtomically(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * The path of the entry point's bundle, built when its inputs changed.
 * Written to a temporary file and renamed into place, so a build killed
 * half-way is never used, and two processes building at once both succeed.
 */
export function ensureOpsBuild(root: string, buildsDir: string, entry: string = OPS_ENTRY): string {
  const checkout = createHash("sha256").update(path.resolve(root)).digest("hex").slice(0, 16);
  const suffix = entry === OPS_ENTRY ? "" : `-${path.basename(entry, ".ts")}`;
  const lastFile = path.join(buildsDir, "checkouts", `${checkout}${suffix}.json`);
  const bundleOf = (key: string) => path.join(buildsDir, key, bundleName(entry));
  try {
    const last = JSON.parse(fs.readFileSync(lastFile, "utf8")) as LastBuild;
    if (opsBuildKey(root, last.inputs) === last.key && fs.existsSync(bundleOf(last.key))) {
      return bundleOf(last.key);
    }
  } catch {
    // No build yet for this checkout (or an unreadable record): build.
  }
  // An input saved while esbuild ran may differ from what it read: build again.
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    const { js, inputs } = bundleOps(root, entry);
    const key = opsBuildKey(root, inputs);
    const settled = inputs.every(
      (f) => (fs.statSync(path.join(root, f), { throwIfNoEntry: false })?.mtimeMs ?? 0) <= started,
    );
    if (key === undefined) {
      if (attempt < 3) continue;
      throw new Error(`the inputs of ${entry} keep vanishing while it is built`);
    }
    // (A clock-skewed mtime would never settle: the third build is kept.)
    if (!settled && attempt < 3) continue;
    if (!fs.existsSync(bundleOf(key))) writeAtomically(bundleOf(key), js);
    writeAtomically(lastFile, JSON.stringify({ key, inputs } satisfies LastBuild));
    return bundleOf(key);
  }
}
