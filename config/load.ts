import * as fs from "fs";
import * as path from "path";
import { closest, distance } from "fastest-levenshtein";
import { ConfigError, ConfigIssue, formatIssue } from "./errors";
import { CONTROL_PLANE_COUNT, nodeGroupIdProblem } from "./naming";
import { parseConfigText } from "./parse";
import { ALL_KEYS, ClusterConfig, REQUIRED_KEYS, clusterConfigSchema } from "./schema";
import { configWarnings } from "./warnings";

/** A valid config and the warnings about it (never errors: those throw). */
export interface CheckedConfig {
  readonly config: ClusterConfig;
  /** Risky but valid settings, each on its KEY's line. */
  readonly warnings: readonly ConfigIssue[];
}

/**
 * Validates the text of a cluster config file. Pure: `file` is used only in
 * messages. Throws ConfigError listing every problem found.
 */
export function validateConfigText(file: string, text: string): ClusterConfig {
  return checkConfigText(file, text).config;
}

/** Like validateConfigText, and also returns the warnings. */
export function checkConfigText(file: string, text: string): CheckedConfig {
  const parsed = parseConfigText(text);
  const issues: ConfigIssue[] = [...parsed.issues];
  const lineOf = new Map<string, number>();
  const values: Record<string, string> = {};

  for (const a of parsed.assignments) {
    if (!ALL_KEYS.includes(a.key)) {
      const guess = closest(a.key, [...ALL_KEYS]);
      const hint = distance(a.key, guess) <= 3 ? `; did you mean ${guess}?` : "";
      issues.push({ line: a.line, key: a.key, message: `unknown key${hint}` });
      continue;
    }
    lineOf.set(a.key, a.line);
    values[a.key] = a.value;
  }
  for (const key of REQUIRED_KEYS) {
    if (!(key in values) && !issues.some((i) => i.key === key)) {
      issues.push({ line: parsed.lineCount, key, message: "is required but not set" });
    }
  }

  const result = clusterConfigSchema.safeParse(values);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? "");
      // Missing keys were reported above, with a clearer message.
      if (!(key in values)) continue;
      issues.push({ line: lineOf.get(key) ?? parsed.lineCount, key, message: issue.message });
    }
  }
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line);
    throw new ConfigError(file, issues);
  }
  const config = (result as { data: ClusterConfig }).data;
  const warnings = configWarnings(config).map((w) => ({
    line: lineOf.get(w.key) ?? parsed.lineCount,
    key: w.key,
    message: w.message,
  }));
  return { config, warnings };
}

/** A cluster directory: its config, the node groups recorded for it, and where it lives. */
export interface ClusterDefinition {
  readonly dir: string;
  readonly configFile: string;
  readonly config: ClusterConfig;
  /** Node group ids recorded in `<dir>/node-groups`, in file order. */
  readonly nodeGroups: readonly string[];
  /** Warnings about the config, formatted `file:line: KEY: why`. */
  readonly warnings: readonly string[];
}

export const CONFIG_FILE = "config";
export const NODE_GROUPS_FILE = "node-groups";

/** Parses a node-groups file: one id per line, `#` comments and blank lines allowed. */
export function parseNodeGroups(file: string, text: string): string[] {
  const ids: string[] = [];
  const issues: ConfigIssue[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const id = raw.replace(/#.*/, "").trim();
    if (id === "") return;
    const problem = nodeGroupIdProblem(id);
    if (problem) {
      issues.push({ line: i + 1, key: "", message: problem });
    } else if (ids.includes(id)) {
      issues.push({ line: i + 1, key: "", message: `node group ${id} is listed twice` });
    } else {
      ids.push(id);
    }
  });
  if (issues.length > 0) throw new ConfigError(file, issues);
  return ids;
}

/** Loads and validates one cluster directory. `display` is how paths appear in messages. */
export function loadCluster(dir: string, display = dir): ClusterDefinition {
  const configFile = path.join(dir, CONFIG_FILE);
  const shown = path.join(display, CONFIG_FILE);
  if (!fs.existsSync(configFile)) {
    throw new ConfigError(shown, [{ line: 0, key: "", message: "file not found" }]);
  }
  const { config, warnings } = checkConfigText(shown, fs.readFileSync(configFile, "utf8"));
  const groupsFile = path.join(dir, NODE_GROUPS_FILE);
  const nodeGroups = fs.existsSync(groupsFile)
    ? parseNodeGroups(path.join(display, NODE_GROUPS_FILE), fs.readFileSync(groupsFile, "utf8"))
    : [];
  return {
    dir,
    configFile,
    config,
    nodeGroups,
    warnings: warnings.map((w) => formatIssue(shown, w)),
  };
}

/** Finds every `clusters/<name>/config` under `root`, sorted by directory name. */
export function findClusterDirs(root: string): string[] {
  const clusters = path.join(root, "clusters");
  if (!fs.existsSync(clusters)) return [];
  return fs
    .readdirSync(clusters, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(clusters, e.name, CONFIG_FILE)))
    .map((e) => path.join("clusters", e.name))
    .sort();
}

/**
 * Index of the control-plane server that bootstraps the cluster, from the
 * environment variable BOOTSTRAP_NODE_ID (default 0).
 */
export function bootstrapNodeId(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BOOTSTRAP_NODE_ID;
  if (raw === undefined || raw === "") return 0;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n >= CONTROL_PLANE_COUNT) {
    throw new Error(
      `BOOTSTRAP_NODE_ID must be 0 to ${CONTROL_PLANE_COUNT - 1} (got ${JSON.stringify(raw)})`,
    );
  }
  return n;
}
