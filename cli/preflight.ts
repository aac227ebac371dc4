/**
 * The Fly target's preflight: what ./k3s.sh (and `npm run cdktf -- deploy`)
 * refuse before anything is created or any request is sent, because Fly
 * would take the apps and volumes and then fail every machine.
 *
 * Offline, from the config alone (`flyPreflight`, pure):
 *   - NODE_IMAGE must be pullable by Fly: not on a registry on this machine
 *     (`localhost`, `127.0.0.1`, `[::1]`; the local Fly's test image is one)
 *     and not the project's default name, which no registry holds. Any other
 *     reference passes: a name without a registry host is Docker Hub, which
 *     Fly pulls from, and whether a tag exists is not knowable offline.
 *   - ORG_NAME must be an organization slug, and not the example's placeholder.
 * Then, only when those pass, one request: does Fly know the organization
 * (`GET /apps?org_slug=<ORG_NAME>`, `orgVerdict`).
 *
 * On the local target (no FLY_API_TOKEN) nothing here runs: the local Fly
 * runs the images in this machine's podman and creates any org it is given.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, ConfigIssue, formatIssue } from "../config/errors";
import { ORG_SLUG } from "../config/fly";
import { CONFIG_FILE, ClusterDefinition, findClusterDirs, loadCluster } from "../config/load";
import { EMULATOR_TEST_IMAGE, imageAppName, stackName } from "../config/naming";
import { parseConfigText } from "../config/parse";
import { ClusterConfig, KEYS } from "../config/schema";
import { MachinesApi, MachinesApiError } from "../ops/machines-api";
import { Action } from "./options";
import { Target, flyTarget } from "./target";
import { ROOT } from "./toolchain";

/** ./k3s.sh actions that deploy to or plan against Fly, and so are checked first. */
export const FLY_CHECKED_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  "create",
  "add",
  "plan",
  "drift",
  "remove",
]);

/** `npm run cdktf --` commands that deploy to or plan against Fly. */
export const FLY_CHECKED_CDKTF_COMMANDS: ReadonlySet<string> = new Set([
  "deploy",
  "apply",
  "diff",
  "plan",
  "watch",
]);

/** ORG_NAME in the example config (clusters/fly-k3s-poc), to be replaced by the user's. */
export const ORG_PLACEHOLDER = "fly-org-slug-goes-here";

/**
 * The repository of the default NODE_IMAGE (config/schema.ts resolves the
 * default; its documented form is `fly-k3s/k3s-node:<...>`). No registry holds
 * it: it names what images/k3s-node builds, and `npm run image` pushes under
 * another name.
 */
export const DEFAULT_IMAGE_REPOSITORY = KEYS.NODE_IMAGE.default.split(":")[0];

/** Registry hosts on the operator's own machine, which Fly's hosts cannot reach. */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)(:\d+)?$/i;

/** Docker Hub's names for itself. */
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/**
 * Splits an image reference the way Docker does: the first path component is
 * a registry host when it holds a `.` or a `:` or is `localhost`; otherwise
 * the image is on Docker Hub. Pure.
 */
export function imageReference(ref: string): { host?: string; repository: string } {
  const name = ref.split("@")[0];
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const hasHost = first !== "" && (/[.:]/.test(first) || first === "localhost");
  const rest = hasHost ? name.slice(slash + 1) : name;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.indexOf(":", lastSlash + 1);
  const repository = colon < 0 ? rest : rest.slice(0, colon);
  return hasHost ? { host: first, repository } : { repository };
}

/**
 * Fly's registry, as cli/image.ts's imageRef writes it (not imported: that
 * module reaches constructs/, which ./k3s.sh does not load; the tests hold
 * the two together).
 */
const FLY_REGISTRY = "registry.fly.io";

/** The command that builds and pushes a node image Fly can pull, and what it writes. */
function pushFix(dir: string, cluster: string): string {
  return (
    `npm run image -- ${dir} --push, which builds images/k3s-node, pushes it to ` +
    `${FLY_REGISTRY}/${imageAppName(cluster)}:<tag> and writes NODE_IMAGE into ${dir}/${CONFIG_FILE}`
  );
}

function imageProblem(
  config: ClusterConfig,
  dir: string,
  line: number | undefined,
): string | undefined {
  const image = config.nodeImage;
  const ref = imageReference(image);
  const q = JSON.stringify(image);
  const consequence =
    "Fly cannot pull it, so every machine would fail after its app and volume were created";
  const replace = `delete this line and run ${pushFix(dir, config.clusterName)}`;
  const hubRepository = ref.host && DOCKER_HUB.has(ref.host) ? ref.repository : undefined;
  if (image === EMULATOR_TEST_IMAGE) {
    return (
      `${q} is the local Fly emulator's test image (busybox, no k3s), built into this machine's podman: ` +
      `${consequence}; unset FLY_API_TOKEN to run this cluster on the local Fly emulator, or ${replace}`
    );
  }
  if (ref.host && LOOPBACK_HOST.test(ref.host)) {
    return `${q} is on a registry on this machine (${ref.host}): ${consequence}; ${replace}`;
  }
  if ((ref.host ? hubRepository : ref.repository) === DEFAULT_IMAGE_REPOSITORY) {
    if (line === undefined) {
      return (
        `not set, so the default ${q} is used, which no registry holds (it only names what images/k3s-node builds): ` +
        `${consequence}; run ${pushFix(dir, config.clusterName)}`
      );
    }
    return `${q} is the project's default image name, which no registry holds: ${consequence}; ${replace}`;
  }
  return undefined;
}

function orgProblem(org: string): string | undefined {
  const q = JSON.stringify(org);
  const fix =
    'write your organization\'s slug, e.g. ORG_NAME="personal" (fly orgs list shows yours)';
  if (org === ORG_PLACEHOLDER) {
    return `${q} is the example config's placeholder, not a Fly organization, so creating the first app would fail; ${fix}`;
  }
  if (!ORG_SLUG.test(org)) {
    return `${q} is not a Fly organization slug (lowercase letters, digits and dashes), so creating the first app would fail; ${fix}`;
  }
  return undefined;
}

/** A cluster config file as the user wrote it: its path as shown in messages, and its text. */
export interface ConfigSource {
  readonly file: string;
  readonly text: string;
}

/**
 * What in a valid config can never work on Fly, each on its KEY's line (a key
 * left to its default: the file's last line, where `npm run image --push`
 * adds it), in line order. Pure; asks nothing.
 */
export function flyPreflight(config: ClusterConfig, source: ConfigSource): ConfigIssue[] {
  const parsed = parseConfigText(source.text);
  const lineOf = (key: string) => parsed.assignments.find((a) => a.key === key)?.line;
  const dir = path.dirname(source.file);
  const problems: ConfigIssue[] = [];
  const org = orgProblem(config.orgName);
  if (org)
    problems.push({ line: lineOf("ORG_NAME") ?? parsed.lineCount, key: "ORG_NAME", message: org });
  const imageLine = lineOf("NODE_IMAGE");
  const image = imageProblem(config, dir, imageLine);
  if (image)
    problems.push({ line: imageLine ?? parsed.lineCount, key: "NODE_IMAGE", message: image });
  return problems.sort((a, b) => a.line - b.line);
}

/** Fly's answer to `GET /apps?org_slug=...`: a status and body, or why none came. */
export type OrgAnswer =
  { readonly status: number; readonly body: string } | { readonly error: string };

/** What an answer means for ORG_NAME. */
export type OrgVerdict =
  | { readonly kind: "known"; readonly apps: number }
  /** Fly said no: a config problem on ORG_NAME's line. */
  | { readonly kind: "refused"; readonly message: string }
  /** No verdict (network, 429, 5xx): not a statement about ORG_NAME. */
  | { readonly kind: "unanswered"; readonly message: string };

function errorOf(body: string): string {
  try {
    const e = (JSON.parse(body) as { error?: unknown }).error;
    if (typeof e === "string" && e) return e;
  } catch {
    // not JSON
  }
  return body.trim() || "no body";
}

/**
 * Reads Fly's answer about an organization. Pure.
 *
 * UNCONFIRMED (shared/reference/machines-api.md b.1 documents only the 200
 * body): what real Fly answers for a slug that names no organization, or one
 * the token cannot see. Read here: 404 = no such organization (for this
 * token); 401/403 = the token is not valid or has no access to it (Fly does
 * not say which, and a token without access cannot create apps there either);
 * any other 4xx = Fly refused the slug. If Fly instead answers 200 with an
 * empty list for an unknown slug, this check passes and the first app's
 * creation fails, as before it existed. 429 and 5xx (after the client's
 * retries) and network failures give no verdict about the organization.
 */
export function orgVerdict(org: string, url: string, answer: OrgAnswer): OrgVerdict {
  const q = JSON.stringify(org);
  const request = `GET ${url}/apps?org_slug=${encodeURIComponent(org)}`;
  if ("error" in answer) {
    return {
      kind: "unanswered",
      message: `could not ask Fly whether organization ${q} (ORG_NAME) exists: ${request} failed: ${answer.error}; this says nothing about ORG_NAME, and nothing was created; check FLY_API_URL and the network, then re-run`,
    };
  }
  const { status, body } = answer;
  const said = `${request} answered HTTP ${status}: ${errorOf(body)}`;
  const fix = "write the slug of an organization this token belongs to (fly orgs list shows them)";
  if (status >= 200 && status < 300) {
    let apps = 0;
    try {
      const parsed = JSON.parse(body) as { apps?: unknown };
      if (Array.isArray(parsed.apps)) apps = parsed.apps.length;
    } catch {
      // a 2xx without a list still means Fly knows the slug
    }
    return { kind: "known", apps };
  }
  if (status === 429 || status >= 500) {
    return {
      kind: "unanswered",
      message: `could not ask Fly whether organization ${q} (ORG_NAME) exists: ${said}; this says nothing about ORG_NAME, and nothing was created; re-run later`,
    };
  }
  if (status === 404) {
    return {
      kind: "refused",
      message: `Fly knows no organization ${q} that FLY_API_TOKEN can see (${said}); ${fix}`,
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: "refused",
      message: `Fly refused FLY_API_TOKEN for organization ${q} (${said}): the token is not valid, or has no access to ${q}; use a token of that organization, or ${fix}`,
    };
  }
  return { kind: "refused", message: `Fly refused organization ${q} (${said}); ${fix}` };
}

/**
 * Set to 1 for a Fly-compatible API that runs this machine's images and takes
 * any org: the local emulator reached as the Fly target (FLY_API_TOKEN and
 * FLY_API_URL set to its own), as __tests__/integration/workflow.test.ts runs
 * the workflow's steps. Never for real Fly.
 */
export const SKIP_PREFLIGHT_ENV = "FLY_K3S_SKIP_FLY_PREFLIGHT";

function skipped(env: NodeJS.ProcessEnv, log: (line: string) => void): boolean {
  if (env[SKIP_PREFLIGHT_ENV] !== "1") return false;
  log(`Fly preflight skipped (${SKIP_PREFLIGHT_ENV}=1): NODE_IMAGE and ORG_NAME are not checked`);
  return true;
}

/** Per-request time limit for the organization check. */
const ORG_CHECK_TIMEOUT_MS = 10_000;

/** Asks Fly about the organization: one request, retried only by the client for 429, 5xx and connection errors. */
export async function askFlyForOrg(
  target: Target,
  org: string,
  fetchFn: typeof fetch = fetch,
): Promise<OrgAnswer> {
  const api = new MachinesApi({
    baseUrl: target.apiUrl,
    token: target.token,
    attempts: 3,
    retryDelayMs: 500,
    fetch: (input, init) =>
      fetchFn(input, { ...init, signal: AbortSignal.timeout(ORG_CHECK_TIMEOUT_MS) }),
  });
  try {
    const body = await api.request<unknown>("GET", `/apps?org_slug=${encodeURIComponent(org)}`);
    return { status: 200, body: JSON.stringify(body ?? {}) };
  } catch (e) {
    if (e instanceof MachinesApiError) return { status: e.status, body: e.body };
    const err = e as Error & { cause?: { message?: string; code?: string } };
    const cause = err.cause?.message ?? err.cause?.code;
    return { error: cause ? `${err.message} (${cause})` : err.message };
  }
}

/**
 * Refuses a cluster that cannot work on the Fly target: throws ConfigError
 * (every offline problem, `file:line: KEY: ...`) before any request; then
 * asks Fly about ORG_NAME and throws ConfigError if Fly refuses it, or Error
 * if no answer came. Does nothing on the local target.
 */
export async function refuseUnusableFlyCluster(
  cluster: ClusterDefinition,
  dir: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  fetchFn: typeof fetch = fetch,
): Promise<void> {
  const target = flyTarget(env);
  if (!target || skipped(env, log)) return;
  const file = path.join(dir, CONFIG_FILE);
  const text = fs.readFileSync(cluster.configFile, "utf8");
  const problems = flyPreflight(cluster.config, { file, text });
  if (problems.length > 0) {
    log(
      `refused before anything was created or sent to Fly.io: ${file} cannot work there (FLY_API_TOKEN is set)`,
    );
    throw new ConfigError(file, problems);
  }
  const org = cluster.config.orgName;
  const verdict = orgVerdict(
    org,
    target.apiUrl.replace(/\/+$/, ""),
    await askFlyForOrg(target, org, fetchFn),
  );
  if (verdict.kind === "unanswered") throw new Error(verdict.message);
  if (verdict.kind === "refused") {
    const line = parseConfigText(text).assignments.find((a) => a.key === "ORG_NAME")?.line ?? 0;
    log(`refused before anything was created on Fly.io`);
    throw new ConfigError(file, [{ line, key: "ORG_NAME", message: verdict.message }]);
  }
  log(`Fly.io organization ${org} is there (${verdict.apps} apps)`);
}

/** ./k3s.sh: checks the cluster when the action deploys to or plans against Fly. */
export async function preflightAction(
  action: Action | undefined,
  cluster: ClusterDefinition,
  dir: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  fetchFn: typeof fetch = fetch,
): Promise<void> {
  if (action && FLY_CHECKED_ACTIONS.has(action))
    await refuseUnusableFlyCluster(cluster, dir, log, env, fetchFn);
}

/**
 * The clusters a cdktf command names as stacks (stack name = cluster name);
 * every cluster when it names none, e.g. `deploy '*'` or `deploy` alone. Pure.
 */
export function clustersNamed(args: readonly string[], clusterNames: readonly string[]): string[] {
  const named = clusterNames.filter((n) => args.slice(1).includes(stackName(n)));
  return named.length > 0 ? named : [...clusterNames];
}

/**
 * `npm run cdktf -- <command> ...`: checks every cluster the command would
 * deploy or plan on Fly, all offline first, printing every problem, then
 * their organizations; throws when any is refused. A config that does not
 * load is left to synth, which reports it.
 */
export async function preflightCdktf(
  args: readonly string[],
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (!flyTarget(env) || !FLY_CHECKED_CDKTF_COMMANDS.has(args[0] ?? "")) return;
  if (skipped(env, log)) return;
  const loaded: { dir: string; cluster: ClusterDefinition }[] = [];
  for (const dir of findClusterDirs(ROOT)) {
    try {
      loaded.push({ dir, cluster: loadCluster(path.join(ROOT, dir), dir) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
    }
  }
  const wanted = clustersNamed(
    args,
    loaded.map((l) => l.cluster.config.clusterName),
  );
  const checked = loaded.filter((l) => wanted.includes(l.cluster.config.clusterName));
  const offline = checked.flatMap(({ dir, cluster }) => {
    const file = path.join(dir, CONFIG_FILE);
    const text = fs.readFileSync(cluster.configFile, "utf8");
    return flyPreflight(cluster.config, { file, text }).map((p) => formatIssue(file, p));
  });
  if (offline.length > 0) {
    for (const line of offline) log(line);
    throw new Error(
      "refused before anything was created or sent to Fly.io (FLY_API_TOKEN is set): fix the problems above",
    );
  }
  for (const { dir, cluster } of checked) await refuseUnusableFlyCluster(cluster, dir, log, env);
}
