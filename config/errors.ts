/**
 * Errors found in a cluster config file. Every message names the file, the
 * line and the KEY, in the user's words:
 *   clusters/prod/config:7: CLUSTER_CIDR: IPv6 range must come first (got "..."); write ...
 */
export interface ConfigIssue {
  /** 1-based line the issue points at (the end of the file for a missing key). */
  readonly line: number;
  /** The config KEY, or "" for a line that has no key. */
  readonly key: string;
  readonly message: string;
}

export function formatIssue(file: string, issue: ConfigIssue): string {
  const key = issue.key ? `${issue.key}: ` : "";
  return `${file}:${issue.line}: ${key}${issue.message}`;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join("\n"));
    this.name = "ConfigError";
  }
}
