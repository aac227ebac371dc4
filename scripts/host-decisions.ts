/**
 * The local Fly's changes to the host (packages, the IPv6
 * router-advertisement guard) and how to undo them, as pure functions of what
 * scripts/host-setup.ts found, tested with recorded inputs
 * (__tests__/set-up/decisions.test.ts).
 */
// ---------------------------------------------------------------------------
// The host: what the local Fly (and the developer tools) need

/** A change to the host: printed with its reason before it is made, recorded to be undone. */
export type HostChange =
  | {
      readonly kind: "apt-install";
      readonly packages: readonly string[];
      readonly reason: string;
    }
  | {
      readonly kind: "sysctl";
      /** e.g. net.ipv6.conf.wlan0.accept_ra */
      readonly key: string;
      readonly from: string;
      readonly to: string;
      readonly reason: string;
    };

/** The local Fly's packages (Debian names): podman and what the emulator runs beside it. */
export const LOCAL_FLY_PACKAGES = {
  podman: "the local Fly runs each machine as a rootful podman container",
  runc: "the OCI runtime the emulator's podman settings name (crun refuses hosts with hybrid cgroups)",
  iptables: "the emulator's rules isolating organizations and sending fdaa::3 to its DNS",
  iproute2: "the emulator puts each organization's DNS address on the loopback",
  "busybox-static": "the emulator's test image is built from a static busybox",
  uidmap: "podman's user-namespace helpers (newuidmap)",
  slirp4netns: "podman's user-mode networking helper",
} as const;

/** Developer tools from Debian packages (offline/dev mode only). */
export const DEV_PACKAGES = {
  shellcheck: "npm run lint checks the shell scripts with shellcheck",
} as const;

export const SYSCTL_FORWARDING = "net.ipv6.conf.all.forwarding";

/** One IPv6 default route, as `ip -6 route show default` prints it. */
export interface DefaultRoute {
  readonly dev: string;
  /** "ra" when learned from a router advertisement; "boot", "static", "dhcp", … otherwise. */
  readonly proto: string;
}

/** What the RA guard looks at, read from /proc/sys/net/ipv6/conf and `ip -6 route`. */
export interface Ipv6Snapshot {
  /** net.ipv6.conf.all.forwarding */
  readonly forwarding: string;
  /** net.ipv6.conf.<dev>.accept_ra for each interface (not "all" or "default"). */
  readonly acceptRa: Readonly<Record<string, string>>;
  readonly defaultRoutes: readonly DefaultRoute[];
}

/** `ip -6 route show default` parsed, multipath (nexthop) routes included. Pure. */
export function parseDefaultRoutes(text: string): DefaultRoute[] {
  const out: DefaultRoute[] = [];
  let proto = "boot";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    const after = (w: string) => {
      const k = words.indexOf(w);
      return k >= 0 ? words[k + 1] : undefined;
    };
    if (words[0] === "nexthop") {
      const dev = after("dev");
      if (dev) out.push({ dev, proto });
      continue;
    }
    proto = after("proto") ?? "boot";
    const dev = after("dev");
    if (dev) out.push({ dev, proto });
  }
  return out;
}

export interface Ipv6Plan {
  readonly changes: Extract<HostChange, { kind: "sysctl" }>[];
  readonly notes: string[];
}

/**
 * The IPv6 router-advertisement guard. fly-k3s never sets
 * net.ipv6.conf.all.forwarding itself: podman's network backend turns it on
 * when the emulator's dual-stack network gets its first container (netavark:
 * src/network/bridge.rs, create_interfaces; CNI's bridge plugin:
 * pkg/ip/ipforward_linux.go, EnableIP6Forward). With forwarding on, the
 * kernel ignores router advertisements on an interface whose accept_ra is 1
 * (it takes them only with 2), so a host whose IPv6 default route comes from
 * RAs would lose it when the route expires. Before that can happen, set
 * accept_ra=2 on each such interface. Pure.
 */
export function ipv6Plan(s: Ipv6Snapshot): Ipv6Plan {
  const changes: Ipv6Plan["changes"] = [];
  const notes: string[] = [];
  const raDevs = [...new Set(s.defaultRoutes.filter((r) => r.proto === "ra").map((r) => r.dev))];
  if (s.forwarding === "1") {
    notes.push(
      `${SYSCTL_FORWARDING} is already 1: podman's network backend has nothing to turn on`,
    );
    for (const dev of raDevs.filter((d) => s.acceptRa[d] === "1")) {
      notes.push(
        `${dev} has its IPv6 default route from router advertisements with accept_ra=1 while forwarding is already 1, so the kernel ignores them already (not fly-k3s's doing; sysctl -w net.ipv6.conf.${dev}.accept_ra=2 takes them again)`,
      );
    }
    return { changes, notes };
  }
  notes.push(
    `${SYSCTL_FORWARDING} is ${s.forwarding}: podman's network backend sets it to 1 when the local Fly's network gets its first container (fly-k3s does not set it)`,
  );
  for (const dev of raDevs) {
    const ra = s.acceptRa[dev];
    if (ra === "1") {
      changes.push({
        kind: "sysctl",
        key: `net.ipv6.conf.${dev}.accept_ra`,
        from: "1",
        to: "2",
        reason: `${dev}'s IPv6 default route comes from router advertisements; once podman turns on ${SYSCTL_FORWARDING}, the kernel ignores them on ${dev} unless accept_ra is 2, and the route would expire`,
      });
    } else if (ra === "2") {
      notes.push(
        `${dev}: accept_ra is already 2; its router advertisements keep working with forwarding on`,
      );
    } else if (ra === "0") {
      notes.push(
        `${dev}: its IPv6 default route comes from router advertisements handled outside the kernel (accept_ra=0: NetworkManager, systemd-networkd, …); fly-k3s leaves it alone`,
      );
    } else {
      notes.push(`${dev}: no accept_ra value found; fly-k3s leaves it alone`);
    }
  }
  return { changes, notes };
}

export interface HostFacts {
  readonly platform: string;
  readonly root: boolean;
  /** apt-get and dpkg-query exist (Debian and derivatives). */
  readonly debian: boolean;
  /** Of the packages asked about, those not installed. */
  readonly missingPackages: readonly string[];
  /** undefined off Linux. */
  readonly ipv6?: Ipv6Snapshot;
  /** /etc/containers/containers.conf written by an earlier fly-k3s set-up. */
  readonly legacyContainersConf: boolean;
}

export interface HostPlan {
  /** What would be changed, in order, each with its reason. */
  readonly changes: HostChange[];
  /** What the user must do by hand (not root, not Debian, not Linux). */
  readonly blockers: string[];
  readonly notes: string[];
}

/**
 * The host changes for the local Fly (`local`) and the developer tools
 * (`dev`). Nothing is planned for neither. Pure.
 */
export function hostPlan(f: HostFacts, want: { local: boolean; dev: boolean }): HostPlan {
  const changes: HostChange[] = [];
  const blockers: string[] = [];
  const notes: string[] = [];
  if (want.local && f.platform !== "linux") {
    blockers.push(
      `the local Fly needs Linux (rootful podman, iptables); on ${f.platform}, set FLY_API_TOKEN and deploy to Fly.io`,
    );
    want = { ...want, local: false };
  }
  const reasons: Record<string, string> = {
    ...(want.local ? LOCAL_FLY_PACKAGES : {}),
    ...(want.dev ? DEV_PACKAGES : {}),
  };
  const missing = f.missingPackages.filter((p) => p in reasons);
  if (missing.length > 0) {
    if (!f.debian) {
      blockers.push(
        `install with your package manager: ${missing.map((p) => `${p} (${reasons[p]})`).join("; ")}`,
      );
    } else {
      changes.push({
        kind: "apt-install",
        packages: missing,
        reason: missing.map((p) => `${p}: ${reasons[p]}`).join("; "),
      });
    }
  }
  if (want.local) {
    if (f.ipv6) {
      const v6 = ipv6Plan(f.ipv6);
      changes.push(...v6.changes);
      notes.push(...v6.notes);
    }
    if (f.legacyContainersConf) {
      notes.push(
        "/etc/containers/containers.conf was written by an earlier fly-k3s set-up; the local Fly no longer reads it (its podman settings are in the cache); npm run setup -- --undo-local removes it",
      );
    }
    if (!f.root) {
      blockers.push("the local Fly runs rootful podman: run ./k3s.sh for the local Fly as root");
    }
  }
  if (changes.length > 0 && !f.root) {
    blockers.push("these changes need root: run npm run setup -- --local as root (sudo)");
  }
  return { changes, blockers, notes };
}

/** One line per change, as printed before it is made. Pure. */
export function describeChange(c: HostChange): string {
  return c.kind === "apt-install"
    ? `install Debian packages ${c.packages.join(" ")} (apt-get install --no-install-recommends). Why: ${c.reason}`
    : `sysctl ${c.key}: ${c.from} -> ${c.to}. Why: ${c.reason}`;
}

// ---------------------------------------------------------------------------
// The record and the undo

/** What scripts/host-setup.ts recorded (HOST_SETUP_RECORD in contract/cache-layout.ts). */
export interface HostRecord {
  readonly version: 1;
  readonly changes: readonly (HostChange & { readonly at: string })[];
}

export const EMPTY_RECORD: HostRecord = { version: 1, changes: [] };

/** The record file's text. Pure. */
export function formatRecord(r: HostRecord): string {
  return JSON.stringify(r, null, 2) + "\n";
}

/** The record read back; throws, naming the file, on anything else. Pure. */
export function parseRecord(text: string, file: string): HostRecord {
  const r = JSON.parse(text) as Partial<HostRecord>;
  if (r.version !== 1 || !Array.isArray(r.changes)) {
    throw new Error(`${file}: not a fly-k3s host set-up record (version 1)`);
  }
  return r as HostRecord;
}

/** A step of the undo: what it restores, or why it is left as it is. */
export type UndoStep =
  | { readonly kind: "apt-remove"; readonly packages: readonly string[]; readonly index: number }
  | {
      readonly kind: "sysctl";
      readonly key: string;
      readonly to: string;
      readonly index: number;
    }
  | { readonly kind: "remove-legacy-conf" }
  | { readonly kind: "keep"; readonly what: string; readonly why: string; readonly index: number };

/**
 * How to undo what the record holds, newest first, on a host now in state
 * `now`: each sysctl goes back to its recorded value unless that would cut
 * the host's IPv6 (accept_ra back to 1 on an interface whose default route
 * comes from RAs while forwarding is on); packages are removed; an
 * /etc/containers/containers.conf written by an earlier set-up is removed.
 * Pure.
 */
export function undoPlan(
  record: HostRecord,
  now: { readonly ipv6?: Ipv6Snapshot; readonly legacyContainersConf: boolean },
): UndoStep[] {
  const steps: UndoStep[] = [];
  record.changes.forEach((c, index) => {
    if (c.kind === "apt-install") {
      steps.push({ kind: "apt-remove", packages: c.packages, index });
      return;
    }
    const dev = /^net\.ipv6\.conf\.(.+)\.accept_ra$/.exec(c.key)?.[1];
    const v6 = now.ipv6;
    const raRoute = dev && v6?.defaultRoutes.some((r) => r.dev === dev && r.proto === "ra");
    if (dev && c.from === "1" && v6?.forwarding === "1" && raRoute) {
      steps.push({
        kind: "keep",
        what: `${c.key}=${c.to}`,
        why: `${SYSCTL_FORWARDING} is 1 and ${dev}'s IPv6 default route comes from router advertisements: accept_ra=1 would make the kernel ignore them. Remove the local Fly's networks first (npm run emulator -- --reset-all), set ${SYSCTL_FORWARDING}=0 if nothing else needs it, then run --undo-local again`,
        index,
      });
      return;
    }
    steps.push({ kind: "sysctl", key: c.key, to: c.from, index });
  });
  steps.reverse();
  if (now.legacyContainersConf) steps.push({ kind: "remove-legacy-conf" });
  return steps;
}
