/**
 * npm run setup's decisions from recorded inputs (scripts/setup-decisions.ts, scripts/host-decisions.ts):
 * the mode, the host plan for the local Fly, the IPv6 router-advertisement
 * guard, and the undo.
 */
import {
  HostFacts,
  HostRecord,
  Ipv6Snapshot,
  describeChange,
  formatRecord,
  hostPlan,
  ipv6Plan,
  parseDefaultRoutes,
  parseRecord,
  undoPlan,
} from "../../scripts/host-decisions";
import { ModeInputs, chooseMode, versionAtLeast } from "../../scripts/setup-decisions";

const ARCHIVES = ["terraform-provider-fly-cbd16d9.tar.gz", "terraform-provider-null-v3.2.4.tar.gz"];
const TOFU = { path: "/usr/bin/tofu", version: "1.12.6" };
const base: ModeInputs = { archives: ARCHIVES, tofuMin: "1.12", platform: "linux" };
const shared = (present: string[]) => ({
  dir: "/srv/fly-k3s/third_party",
  origin: "../shared/third_party beside the checkout",
  present,
});

describe("the mode npm run setup chooses", () => {
  it.each<[string, ModeInputs, string, string]>([
    [
      "archives beside the checkout",
      { ...base, sources: shared(ARCHIVES) },
      "offline",
      "provider source archives in /srv/fly-k3s/third_party",
    ],
    [
      "one archive is enough to mean offline (the build then names the missing one)",
      { ...base, sources: shared(ARCHIVES.slice(0, 1)) },
      "offline",
      "provider source archives",
    ],
    [
      "an empty FLY_K3S_PROVIDER_SOURCES, tofu on PATH",
      {
        ...base,
        tofu: TOFU,
        sources: { dir: "/tmp/empty", origin: "FLY_K3S_PROVIDER_SOURCES", present: [] },
      },
      "online",
      "no provider source archive in /tmp/empty (FLY_K3S_PROVIDER_SOURCES)",
    ],
    [
      "no archives anywhere, tofu on PATH",
      { ...base, tofu: TOFU },
      "online",
      "FLY_K3S_PROVIDER_SOURCES unset, no ../shared/third_party",
    ],
    [
      "--online wins over archives",
      { ...base, flag: "online", tofu: TOFU, sources: shared(ARCHIVES) },
      "online",
      "--online given",
    ],
    ["--offline wins over no archives", { ...base, flag: "offline" }, "offline", "--offline given"],
    [
      "FLY_K3S_USE_REGISTRY=1 wins over archives",
      { ...base, useRegistry: "1", tofu: TOFU, sources: shared(ARCHIVES) },
      "online",
      "FLY_K3S_USE_REGISTRY=1",
    ],
    [
      "FLY_K3S_USE_REGISTRY=0 means offline",
      { ...base, useRegistry: "0" },
      "offline",
      "FLY_K3S_USE_REGISTRY=0",
    ],
    [
      "an empty FLY_K3S_USE_REGISTRY counts as unset",
      { ...base, useRegistry: "", sources: shared(ARCHIVES) },
      "offline",
      "provider source archives",
    ],
    [
      "a newer OpenTofu is fine",
      { ...base, tofu: { path: "/opt/homebrew/bin/tofu", version: "1.13.0" } },
      "online",
      "OpenTofu 1.13.0 from PATH (/opt/homebrew/bin/tofu)",
    ],
  ])("%s", (_what, inputs, mode, why) => {
    const c = chooseMode(inputs);
    expect(c.ok && c.mode).toBe(mode);
    expect(c.ok && c.reason).toContain(why);
    if (c.ok && c.mode === "online") {
      expect(c.reason).toContain("nothing is built");
      expect(c.tofu).toBe(inputs.tofu?.path);
    }
  });

  it.each<[string, ModeInputs, string[]]>([
    [
      "online without tofu names the installs for Linux first",
      { ...base },
      [
        "there is no tofu on PATH",
        "Debian/Ubuntu",
        "brew install opentofu",
        "opentofu/setup-opentofu",
        "FLY_K3S_PROVIDER_SOURCES",
      ],
    ],
    [
      "online without tofu on macOS names brew first",
      { ...base, platform: "darwin" },
      ["  macOS: brew install opentofu\n"],
    ],
    [
      "an OpenTofu older than 1.12",
      { ...base, tofu: { path: "/usr/local/bin/tofu", version: "1.11.4" } },
      ["needs OpenTofu >= 1.12; /usr/local/bin/tofu is OpenTofu 1.11.4"],
    ],
    [
      "a tofu that does not say its version",
      { ...base, tofu: { path: "/x/tofu" } },
      ["/x/tofu is not an OpenTofu that says its version"],
    ],
    [
      "FLY_K3S_USE_REGISTRY=yes",
      { ...base, useRegistry: "yes" },
      ["FLY_K3S_USE_REGISTRY=yes: expected 1 (online) or 0 (offline)"],
    ],
  ])("refuses: %s", (_what, inputs, parts) => {
    const c = chooseMode(inputs);
    expect(c.ok).toBe(false);
    for (const p of parts) expect(c.ok ? "" : c.error).toContain(p);
  });

  it("compares versions by number", () => {
    expect(versionAtLeast("1.12.0", "1.12")).toBe(true);
    expect(versionAtLeast("1.9.9", "1.12")).toBe(false);
    expect(versionAtLeast("v1.13.0-rc1", "1.12")).toBe(true);
    expect(versionAtLeast("2.0", "1.12.6")).toBe(true);
  });
});

describe("ip -6 route show default, parsed", () => {
  it("reads dev and proto of plain and multipath routes", () => {
    const text = [
      "default via fe80::1 dev wlp2s0 proto ra metric 600 expires 1791sec pref medium",
      "default via fd00::1 dev eth0 metric 1024 pref medium",
      "default proto ra metric 1024 expires 1500sec pref medium",
      "\tnexthop via fe80::a dev enp1s0 weight 1",
      "\tnexthop via fe80::b dev enp2s0 weight 1",
      "",
    ].join("\n");
    expect(parseDefaultRoutes(text)).toEqual([
      { dev: "wlp2s0", proto: "ra" },
      { dev: "eth0", proto: "boot" },
      { dev: "enp1s0", proto: "ra" },
      { dev: "enp2s0", proto: "ra" },
    ]);
  });
});

/** A laptop on Wi-Fi that learns its IPv6 default route from router advertisements. */
const laptop: Ipv6Snapshot = {
  forwarding: "0",
  acceptRa: { lo: "1", wlp2s0: "1", docker0: "0" },
  defaultRoutes: [{ dev: "wlp2s0", proto: "ra" }],
};

describe("the IPv6 router-advertisement guard", () => {
  it("sets accept_ra=2 first on an interface whose default route comes from RAs, before podman turns forwarding on", () => {
    const p = ipv6Plan(laptop);
    expect(p.changes).toEqual([
      expect.objectContaining({
        kind: "sysctl",
        key: "net.ipv6.conf.wlp2s0.accept_ra",
        from: "1",
        to: "2",
      }),
    ]);
    expect(p.changes[0].reason).toContain(
      "the kernel ignores them on wlp2s0 unless accept_ra is 2",
    );
    expect(p.notes.join("\n")).toContain("podman's network backend sets it to 1");
  });

  it.each<[string, Ipv6Snapshot, string]>([
    [
      "forwarding already on (this project's machines)",
      { forwarding: "1", acceptRa: { eth0: "0" }, defaultRoutes: [{ dev: "eth0", proto: "boot" }] },
      "already 1",
    ],
    [
      "a static default route",
      {
        forwarding: "0",
        acceptRa: { eth0: "1" },
        defaultRoutes: [{ dev: "eth0", proto: "static" }],
      },
      "does not set it",
    ],
    [
      "RAs already taken with forwarding (accept_ra=2)",
      { forwarding: "0", acceptRa: { eth0: "2" }, defaultRoutes: [{ dev: "eth0", proto: "ra" }] },
      "accept_ra is already 2",
    ],
    [
      "RAs handled by NetworkManager (accept_ra=0)",
      { forwarding: "0", acceptRa: { wlan0: "0" }, defaultRoutes: [{ dev: "wlan0", proto: "ra" }] },
      "handled outside the kernel",
    ],
    [
      "no IPv6 default route",
      { forwarding: "0", acceptRa: { eth0: "1" }, defaultRoutes: [] },
      "does not set it",
    ],
  ])("changes nothing: %s", (_what, s, note) => {
    const p = ipv6Plan(s);
    expect(p.changes).toEqual([]);
    expect(p.notes.join("\n")).toContain(note);
  });

  it("says so, and changes nothing, when forwarding is already on and RAs are already ignored", () => {
    const p = ipv6Plan({ ...laptop, forwarding: "1" });
    expect(p.changes).toEqual([]);
    expect(p.notes.join("\n")).toContain("not fly-k3s's doing");
  });
});

const facts = (over: Partial<HostFacts> = {}): HostFacts => ({
  platform: "linux",
  root: true,
  debian: true,
  missingPackages: [],
  ipv6: laptop,
  legacyContainersConf: false,
  ...over,
});

describe("the host plan", () => {
  it("plans nothing when neither the local Fly nor the developer tools are asked for (online mode)", () => {
    expect(
      hostPlan(facts({ missingPackages: ["podman", "shellcheck"] }), { local: false, dev: false }),
    ).toEqual({ changes: [], blockers: [], notes: [] });
  });

  it("installs the missing packages with a reason each, then the RA guard", () => {
    const p = hostPlan(facts({ missingPackages: ["podman", "busybox-static", "shellcheck"] }), {
      local: true,
      dev: false,
    });
    expect(p.changes.map((c) => c.kind)).toEqual(["apt-install", "sysctl"]);
    expect(p.changes[0]).toMatchObject({ packages: ["podman", "busybox-static"] });
    expect(describeChange(p.changes[0])).toMatch(
      /^install Debian packages podman busybox-static .*Why: podman: the local Fly runs each machine/,
    );
    expect(p.blockers).toEqual([]);
  });

  it("does nothing as a non-root user: it says what needs root", () => {
    const p = hostPlan(facts({ root: false, missingPackages: ["podman"] }), {
      local: true,
      dev: false,
    });
    expect(p.blockers).toContain(
      "these changes need root: run npm run setup -- --local as root (sudo)",
    );
    expect(p.blockers).toContain(
      "the local Fly runs rootful podman: run ./k3s.sh for the local Fly as root",
    );
  });

  it("names the packages to install by hand off Debian", () => {
    const p = hostPlan(facts({ debian: false, missingPackages: ["podman"] }), {
      local: true,
      dev: false,
    });
    expect(p.changes.filter((c) => c.kind === "apt-install")).toEqual([]);
    expect(p.blockers[0]).toMatch(/^install with your package manager: podman \(/);
  });

  it("refuses the local Fly on macOS and plans no change", () => {
    const p = hostPlan(facts({ platform: "darwin", ipv6: undefined }), { local: true, dev: false });
    expect(p.changes).toEqual([]);
    expect(p.blockers[0]).toContain("the local Fly needs Linux");
  });

  it("mentions, and leaves, an /etc/containers/containers.conf an earlier set-up wrote", () => {
    const p = hostPlan(
      facts({ legacyContainersConf: true, ipv6: { ...laptop, forwarding: "1" } }),
      { local: true, dev: false },
    );
    expect(p.changes).toEqual([]);
    expect(p.notes.join("\n")).toContain("npm run setup -- --undo-local removes it");
  });
});

describe("the host record and the undo", () => {
  const record: HostRecord = {
    version: 1,
    changes: [
      {
        kind: "apt-install",
        packages: ["podman", "runc"],
        reason: "r",
        at: "2026-01-01T00:00:00.000Z",
      },
      {
        kind: "sysctl",
        key: "net.ipv6.conf.wlp2s0.accept_ra",
        from: "1",
        to: "2",
        reason: "r",
        at: "2026-01-01T00:00:01.000Z",
      },
    ],
  };

  it("round-trips through its file", () => {
    expect(parseRecord(formatRecord(record), "f")).toEqual(record);
    expect(() => parseRecord('{"version":2}', "/c/host-setup.json")).toThrow(
      "/c/host-setup.json: not a fly-k3s host set-up record",
    );
  });

  it("restores newest first, while forwarding is still off", () => {
    expect(undoPlan(record, { ipv6: laptop, legacyContainersConf: true })).toEqual([
      { kind: "sysctl", key: "net.ipv6.conf.wlp2s0.accept_ra", to: "1", index: 1 },
      { kind: "apt-remove", packages: ["podman", "runc"], index: 0 },
      { kind: "remove-legacy-conf" },
    ]);
  });

  it("keeps accept_ra=2 while forwarding is on and the route comes from RAs, saying why", () => {
    const steps = undoPlan(record, {
      ipv6: { ...laptop, forwarding: "1" },
      legacyContainersConf: false,
    });
    expect(steps[0]).toMatchObject({
      kind: "keep",
      what: "net.ipv6.conf.wlp2s0.accept_ra=2",
      index: 1,
    });
    expect(steps[0].kind === "keep" && steps[0].why).toContain(
      "accept_ra=1 would make the kernel ignore them",
    );
    expect(steps[1]).toMatchObject({ kind: "apt-remove" });
  });
});
