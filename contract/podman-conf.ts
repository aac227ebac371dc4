/**
 * The local Fly's podman settings, scoped to this project: a file in the
 * cache (`PODMAN_CONF` in contract/cache-layout.ts) that the emulator names to
 * every podman it runs, so /etc/containers/containers.conf is never touched.
 * Pure.
 *
 * Why these settings: on hosts with hybrid cgroups (v1 controllers and a v2
 * mount at /sys/fs/cgroup/unified) crun refuses to start containers, so runc
 * is used; and sandboxes refuse podman's default ulimits, so none are set.
 */

export const PODMAN_CONF_TEXT = `# Written by fly-k3s (contract/podman-conf.ts): the local Fly's podman settings.
# The emulator names this file to podman; nothing under /etc/containers is changed.
[containers]
default_ulimits = []

[engine]
runtime = "runc"
`;

/**
 * podman 4.5 added CONTAINERS_CONF_OVERRIDE (containers/podman#17895): a file
 * read after the system's containers.conf files, which stay in force. Older
 * podman (Debian 12 has 4.3) has only CONTAINERS_CONF, which replaces them:
 * then this file and podman's built-in defaults are all it reads.
 */
export const OVERRIDE_SINCE = [4, 5] as const;

/** The environment that makes a podman of `version` read `file`. Pure. */
export function podmanConfEnv(version: string, file: string): Record<string, string> {
  const [major = 0, minor = 0] = version
    .replace(/^v/, "")
    .split(".")
    .map((n) => parseInt(n, 10) || 0);
  const [M, m] = OVERRIDE_SINCE;
  const hasOverride = major > M || (major === M && minor >= m);
  return hasOverride ? { CONTAINERS_CONF_OVERRIDE: file } : { CONTAINERS_CONF: file };
}
