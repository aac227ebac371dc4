/**
 * `npm run image -- clusters/<name> [--dry-run] [--push]`: the node image
 * pipeline (cli/image.ts). Without --push it builds images/k3s-node for
 * linux/amd64 into the local docker; with --push it creates the cluster's
 * image app on Fly if needed, pushes the image to registry.fly.io and records
 * the reference as the cluster's NODE_IMAGE (unless the config names another
 * image). --dry-run prints the steps and changes nothing.
 * `npm run image -- --write-env` only rewrites images/k3s-node/node-env.sh
 * from contract/node-env.ts. `npm run -s image -- clusters/<name> --check`
 * prints `current REF`, `build REF` or `other IMAGE` (cli/image.ts
 * nodeImageCheck): whether a build and push are due; it needs no token and
 * changes nothing (CI asks it before the image job builds).
 *
 * The target is decided from FLY_API_TOKEN alone (nothing is started): without
 * it, the verb says why it cannot build here and what the local target runs
 * instead (exit 1; exit 0 with --dry-run).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../config/errors";
import { loadCluster } from "../config/load";
import {
  ImageStep,
  formatStep,
  imageAppName,
  imageInputs,
  imagePlan,
  imageRef,
  imageTag,
  inputsDigest,
  localTargetMessage,
  nodeEnvFileCurrent,
  nodeImageCheck,
  updateConfigNodeImage,
  writeNodeEnvFile,
} from "../cli/image";
import { NODE_ENV_SCRIPT_PATH, nodeEnvScript } from "../contract/node-env";
import { DEFAULT_API_URL, MachinesApi, MachinesApiError } from "../ops/machines-api";

const ROOT = path.resolve(__dirname, "..");
const log = (line: string) => console.error(`[image] ${line}`);

async function ensureApp(api: MachinesApi, app: string, org: string): Promise<void> {
  try {
    await api.request("GET", `/apps/${encodeURIComponent(app)}`);
    log(`app ${app} exists`);
  } catch (e) {
    if (!(e instanceof MachinesApiError) || e.status !== 404) throw e;
    await api.request("POST", "/apps", { app_name: app, org_slug: org });
    log(`app ${app} created in org ${org}`);
  }
}

function runStep(step: Extract<ImageStep, { kind: "command" }>, apiUrl: string): void {
  log(formatStep(step, apiUrl));
  const input = step.stdinFromEnv ? (process.env[step.stdinFromEnv] ?? "") : undefined;
  const r = spawnSync(step.argv[0], step.argv.slice(1), {
    cwd: ROOT,
    input,
    stdio: [input === undefined ? "inherit" : "pipe", "inherit", "inherit"],
  });
  if (r.error) {
    throw new Error(
      `${step.argv[0]}: ${r.error.message}; the image is built with docker buildx ` +
        `(a running docker engine), which this machine does not have`,
    );
  }
  if (r.status !== 0) throw new Error(`${step.argv.slice(0, 3).join(" ")} exited ${r.status}`);
}

/** The image this checkout builds for the cluster: its K3S_VERSION and the digest of images/k3s-node. */
function imageRefOf(config: { clusterName: string; k3sVersion: string }): string {
  // The tag covers what the build will contain: node-env.sh as TypeScript writes it.
  const files = imageInputs(ROOT).map((name) => ({
    name,
    content:
      name === NODE_ENV_SCRIPT_PATH ? nodeEnvScript() : fs.readFileSync(path.join(ROOT, name)),
  }));
  return imageRef(
    imageAppName(config.clusterName),
    imageTag(config.k3sVersion, inputsDigest(files)),
  );
}

async function main(argv: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "dry-run": { type: "boolean" },
      push: { type: "boolean" },
      "write-env": { type: "boolean" },
      check: { type: "boolean" },
    },
  });
  if (o["write-env"]) {
    const changed = writeNodeEnvFile(ROOT);
    console.log(`${NODE_ENV_SCRIPT_PATH}: ${changed ? "written" : "up to date"}`);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error("usage: npm run image -- clusters/<name> [--dry-run] [--push] [--check]");
    return 64;
  }
  const dir = positionals[0].replace(/\/+$/, "");
  const def = loadCluster(dir);
  const { config } = def;
  const dryRun = !!o["dry-run"];

  if (o.check) {
    const c = nodeImageCheck(
      fs.readFileSync(def.configFile, "utf8"),
      imageRefOf(config),
      imageAppName(config.clusterName),
    );
    console.log(`${c.status} ${c.image}`);
    return 0;
  }

  if (!process.env.FLY_API_TOKEN) {
    console.log(localTargetMessage(dir, config.nodeImage));
    return dryRun ? 0 : 1;
  }

  const apiUrl = process.env.FLY_API_URL || DEFAULT_API_URL;
  const push = !!o.push;
  const envCurrent = nodeEnvFileCurrent(ROOT);
  if (!envCurrent && !dryRun) writeNodeEnvFile(ROOT);
  const app = imageAppName(config.clusterName);
  const ref = imageRefOf(config);
  const tag = ref.slice(ref.lastIndexOf(":") + 1);
  const steps = imagePlan({
    cluster: config.clusterName,
    org: config.orgName,
    k3sVersion: config.k3sVersion,
    tag,
    push,
    apiUrl,
  });

  if (dryRun) {
    console.log(`# ${dir}: node image ${ref} (target fly, ${apiUrl})`);
    if (!envCurrent) {
      console.log(`# ${NODE_ENV_SCRIPT_PATH} is stale: the run rewrites it first (--write-env)`);
    }
    console.log("# run from the repository root:");
    for (const s of steps) console.log(formatStep(s, apiUrl));
    if (push) {
      const u = updateConfigNodeImage(fs.readFileSync(def.configFile, "utf8"), ref, app);
      console.log(
        u.action === "kept-other"
          ? `# ${dir}/config names NODE_IMAGE=${u.other}; it stays the cluster's image`
          : `# then ${dir}/config: NODE_IMAGE="${ref}" (${u.action === "unchanged" ? "already set" : u.action === "added" ? "added" : "replaces the earlier image of " + app})`,
      );
    } else {
      console.log("# (--push also creates the image app, pushes, and records NODE_IMAGE)");
    }
    return 0;
  }

  const api = new MachinesApi({ baseUrl: apiUrl, token: process.env.FLY_API_TOKEN });
  for (const s of steps) {
    if (s.kind === "create-app") await ensureApp(api, s.app, s.org);
    else runStep(s, apiUrl);
  }
  if (!push) {
    log(`built ${ref} (local docker); --push publishes it and records NODE_IMAGE`);
    return 0;
  }
  const u = updateConfigNodeImage(fs.readFileSync(def.configFile, "utf8"), ref, app);
  if (u.action === "kept-other") {
    log(
      `pushed ${ref}; ${dir}/config names NODE_IMAGE=${u.other}, which stays the cluster's image`,
    );
  } else {
    if (u.action !== "unchanged") fs.writeFileSync(def.configFile, u.text);
    log(`pushed ${ref}; ${dir}/config: NODE_IMAGE ${u.action}; ./k3s.sh -c ${dir} rolls it out`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    console.error(e instanceof ConfigError ? e.message : `image: ${e.message}`);
    process.exitCode = 1;
  },
);
