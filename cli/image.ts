/**
 * The node image pipeline (`npm run image`): build images/k3s-node for
 * linux/amd64, push it to Fly's registry under the cluster's image app, and
 * record the reference as the cluster's NODE_IMAGE unless the config names
 * another image. Everything here is pure except `writeNodeEnvFile`; bin/image.ts
 * runs the commands.
 *
 * The image app, `<cluster>-images`, is created by this verb (through the
 * Machines API), not by the stack: the image must be in the registry before
 * Terraform creates the first machine that runs it, so its app has to exist
 * before the stack's apps; and a cluster destroyed with `./k3s.sh -d` keeps
 * its images for the next create.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { EMULATOR_TEST_IMAGE, imageAppName } from "../config/naming";
import { NODE_ENV_SCRIPT_PATH, nodeEnvScript } from "../contract/node-env";

/** Fly's image registry. */
export const FLY_REGISTRY = "registry.fly.io";

/** Platform of Fly Machines. */
export const IMAGE_PLATFORM = "linux/amd64";

/** The folder the image is built from: its files and its kernel/ (the kernel option list). */
export const IMAGE_DIR = "images/k3s-node";

/** The Dockerfile, relative to the repository root (the build context). */
export const DOCKERFILE = `${IMAGE_DIR}/Dockerfile`;

export { imageAppName };

/** The files the image is built from (every file under IMAGE_DIR), relative to the repository root, sorted. */
export function imageInputs(root: string): string[] {
  const list = (dir: string): string[] =>
    fs
      .readdirSync(path.join(root, dir), { withFileTypes: true })
      .filter((e) => !e.name.startsWith(".") && !e.name.endsWith(".md")) // docs are not in the image
      .flatMap((e) => {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) return list(rel);
        return e.isFile() ? [rel] : [];
      });
  return list(IMAGE_DIR).sort();
}

/** sha256 over the names and contents of the image inputs: a new tag whenever one changes. Pure. */
export function inputsDigest(files: readonly { name: string; content: string | Buffer }[]): string {
  const h = createHash("sha256");
  for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    h.update(`${f.name}\0${f.content.length}\0`);
    h.update(f.content);
  }
  return h.digest("hex");
}

/** Image tag: the k3s release (`+` is not allowed in a tag) and the inputs digest. Pure. */
export function imageTag(k3sVersion: string, digest: string): string {
  return `${k3sVersion.replace(/\+/g, "-")}-${digest.slice(0, 12)}`;
}

export function imageRef(app: string, tag: string): string {
  return `${FLY_REGISTRY}/${app}:${tag}`;
}

/** One step of the pipeline, as the operator would run it from the repository root. */
export type ImageStep =
  | {
      readonly kind: "command";
      readonly argv: readonly string[];
      /** Environment variable whose value goes to stdin (never into argv or the output). */
      readonly stdinFromEnv?: string;
    }
  | { readonly kind: "create-app"; readonly app: string; readonly org: string };

export interface ImagePlanInput {
  readonly cluster: string;
  readonly org: string;
  readonly k3sVersion: string;
  readonly tag: string;
  readonly push: boolean;
  /** Machines API base URL, for the printed app step. */
  readonly apiUrl: string;
}

/** The steps that build (and with `push`, publish) the node image for Fly. Pure. */
export function imagePlan(p: ImagePlanInput): ImageStep[] {
  const app = imageAppName(p.cluster);
  const ref = imageRef(app, p.tag);
  const build = [
    "docker",
    "buildx",
    "build",
    "--platform",
    IMAGE_PLATFORM,
    "--file",
    DOCKERFILE,
    "--build-arg",
    `K3S_VERSION=${p.k3sVersion}`,
    "--tag",
    ref,
    // One plain image manifest: no attestation index for Fly to resolve.
    "--provenance=false",
    p.push ? "--push" : "--load",
    ".",
  ];
  if (!p.push) return [{ kind: "command", argv: build }];
  return [
    { kind: "create-app", app, org: p.org },
    {
      kind: "command",
      argv: ["docker", "login", FLY_REGISTRY, "--username", "x", "--password-stdin"],
      stdinFromEnv: "FLY_API_TOKEN",
    },
    { kind: "command", argv: build },
  ];
}

/** Quotes one word for a POSIX shell. Pure. */
function shellWord(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** How a step is printed (--dry-run) and logged. Never contains a secret. Pure. */
export function formatStep(step: ImageStep, apiUrl: string): string {
  if (step.kind === "create-app") {
    const base = apiUrl.replace(/\/+$/, "");
    return (
      `# Machines API: GET ${base}/apps/${step.app}; if 404, ` +
      `POST ${base}/apps ${JSON.stringify({ app_name: step.app, org_slug: step.org })}`
    );
  }
  const cmd = step.argv.map(shellWord).join(" ");
  return step.stdinFromEnv ? `printf '%s' "$${step.stdinFromEnv}" | ${cmd}` : cmd;
}

export type NodeImageUpdate =
  | { readonly action: "added" | "updated" | "unchanged"; readonly text: string }
  | { readonly action: "kept-other"; readonly text: string; readonly other: string };

/**
 * Records `ref` as NODE_IMAGE in a cluster config's text: appended when the
 * config names no image, replaced when it names an earlier image of the same
 * image app (this verb wrote it), left alone when it names another image. Pure.
 */
export function updateConfigNodeImage(text: string, ref: string, app: string): NodeImageUpdate {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /^\s*(export\s+)?NODE_IMAGE=/.test(l));
  const line = `NODE_IMAGE="${ref}"`;
  if (at < 0) {
    const body = text.endsWith("\n") || text === "" ? text : `${text}\n`;
    return {
      action: "added",
      text:
        body +
        "# Written by `npm run image -- <cluster dir> --push`; name another image to stop it\n" +
        `${line}\n`,
    };
  }
  const current = lines[at]
    .replace(/^\s*(export\s+)?NODE_IMAGE=/, "")
    .trim()
    .replace(/^(["'])(.*)\1$/, "$2");
  if (current === ref) return { action: "unchanged", text };
  if (!current.startsWith(`${FLY_REGISTRY}/${app}:`)) {
    return { action: "kept-other", text, other: current };
  }
  lines[at] = line;
  return { action: "updated", text: lines.join("\n") };
}

/**
 * What `--check` answers for CI: whether the config's NODE_IMAGE is the image
 * this checkout builds (`ref`: the K3S_VERSION and the digest of
 * images/k3s-node). `current`: it is; `build`: it is not (images/ or
 * K3S_VERSION changed since it was recorded, or none is recorded), so a build
 * and push are due; `other`: the config names an image of its own, which this
 * verb leaves alone. Pure.
 */
export function nodeImageCheck(
  configText: string,
  ref: string,
  app: string,
): { readonly status: "current" | "build" | "other"; readonly image: string } {
  const u = updateConfigNodeImage(configText, ref, app);
  if (u.action === "kept-other") return { status: "other", image: u.other };
  return { status: u.action === "unchanged" ? "current" : "build", image: ref };
}

/** What the verb says on the local target, where it cannot build. Pure. */
export function localTargetMessage(clusterDir: string, nodeImage: string): string {
  return [
    `${clusterDir}: the local target (FLY_API_TOKEN is not set) builds no node image.`,
    "",
    "Why: images/k3s-node downloads the released k3s binary from",
    "github.com/k3s-io/k3s/releases while it builds, and k3s cannot be downloaded on",
    "this project's machines (the Go module proxy refuses github.com/k3s-io/k3s and no",
    "registry here packages it); there is also no container engine to build with,",
    `and the image would go to ${FLY_REGISTRY}, which the local target does not use.`,
    "",
    "What the local target runs instead: the local Fly's test image",
    `${EMULATOR_TEST_IMAGE} (busybox, no k3s; emulator/images/build-test-image.sh),`,
    nodeImage === EMULATOR_TEST_IMAGE
      ? `which ${clusterDir}/config names as its NODE_IMAGE.`
      : `which clusters/local names as its NODE_IMAGE; this cluster names ${nodeImage},` +
        " which the local Fly can start only if its podman has that image.",
    "With it, ./k3s.sh -c creates everything Fly-side (apps, volumes, machines on the",
    "IPv6 private network) and leaves out the steps that need k3s (join, taint,",
    "kubeconfig, readiness waits during rolls).",
    "",
    "To build for Fly: set FLY_API_TOKEN and run",
    `  npm run image -- ${clusterDir} --dry-run   # prints the commands`,
    `  npm run image -- ${clusterDir} --push      # builds, pushes, records NODE_IMAGE`,
  ].join("\n");
}

/** Rewrites images/k3s-node/node-env.sh from contract/node-env.ts; true if it changed. */
export function writeNodeEnvFile(root: string): boolean {
  const file = path.join(root, NODE_ENV_SCRIPT_PATH);
  const want = nodeEnvScript();
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === want) return false;
  fs.writeFileSync(file, want, { mode: 0o644 });
  return true;
}

/** Whether images/k3s-node/node-env.sh is current. */
export function nodeEnvFileCurrent(root: string): boolean {
  const file = path.join(root, NODE_ENV_SCRIPT_PATH);
  return fs.existsSync(file) && fs.readFileSync(file, "utf8") === nodeEnvScript();
}
