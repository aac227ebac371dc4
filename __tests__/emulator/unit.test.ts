import { resolveInternal, type DnsMachine, type DnsView } from "../../emulator/dns";
import { ApiError } from "../../emulator/errors";
import {
  machineId,
  machineName,
  regionZones,
  rfc3339,
  rfc3339Ms,
  ulid,
  volumeId,
} from "../../emulator/ids";
import { parseImageRef } from "../../emulator/machines";
import { execArgv, splitShellWords } from "../../emulator/shellwords";
import { RFC3339_MS, RFC3339_S, SHAPES } from "./fixtures/machines-api-shapes";

describe("splitShellWords (the deprecated exec cmd, as the emulator guesses it)", () => {
  it.each<[string, string[]]>([
    ["echo hi", ["echo", "hi"]],
    ["  a   b  ", ["a", "b"]],
    [`sh -c 'echo "a b"; exit 3'`, ["sh", "-c", 'echo "a b"; exit 3']],
    [`printf "%s\\n" "x y" z`, ["printf", "%s\\n", "x y", "z"]],
    [`echo "say \\"hi\\""`, ["echo", 'say "hi"']],
    ["a\\ b c", ["a b", "c"]],
    ["echo ''", ["echo", ""]],
    ["k3s kubectl get nodes -o=json", ["k3s", "kubectl", "get", "nodes", "-o=json"]],
    ["", []],
  ])("%j", (input, want) => {
    expect(splitShellWords(input)).toEqual(want);
  });

  it("rejects unterminated quotes with a 400", () => {
    expect(() => splitShellWords("echo 'oops")).toThrow(ApiError);
    expect(() => splitShellWords('echo "oops')).toThrow(/unterminated double quote/);
  });
});

describe("execArgv (exec command)", () => {
  it("runs command exactly as sent: spaces and quotes inside one argument stay one element", () => {
    const command = ["sh", "-c", `umask 077 && cat > 'a b' && echo "x y"`, "it's", ""];
    expect(execArgv({ command })).toEqual(command);
    expect(execArgv({ command: ["printf", "%s\\n", "a b", "\\ c"] })).toEqual([
      "printf",
      "%s\\n",
      "a b",
      "\\ c",
    ]);
  });

  it("prefers command to the deprecated cmd, and splits cmd only when it comes alone", () => {
    expect(execArgv({ command: ["echo", "x y"], cmd: "echo no" })).toEqual(["echo", "x y"]);
    expect(execArgv({ cmd: "echo 'x y'" })).toEqual(["echo", "x y"]);
    expect(execArgv({})).toEqual([]);
  });
});

describe("ids", () => {
  it("look like Fly's", () => {
    expect(machineId()).toMatch(SHAPES.machine.id);
    expect(volumeId()).toMatch(SHAPES.volume.id);
    expect(ulid()).toMatch(SHAPES.machine.instanceId);
    expect(machineName()).toMatch(/^[a-z]+-[a-z]+-\d{4}$/);
    expect(rfc3339Ms(Date.UTC(2023, 10, 27, 21, 47, 6, 837))).toBe("2023-11-27T21:47:06.837Z");
    expect(rfc3339(Date.UTC(2023, 9, 31, 2, 30, 10, 500))).toBe("2023-10-31T02:30:10Z");
    expect(rfc3339Ms()).toMatch(RFC3339_MS);
    expect(rfc3339()).toMatch(RFC3339_S);
  });

  it("ulids sort by time", () => {
    expect(ulid(1000) < ulid(2000)).toBe(true);
  });

  it("zones are stable, distinct 4-hex ids per region", () => {
    const z = regionZones("iad", 4);
    expect(z).toHaveLength(4);
    expect(new Set(z).size).toBe(4);
    for (const id of z) expect(id).toMatch(SHAPES.volume.zone);
    expect(regionZones("iad", 4)).toEqual(z);
    expect(regionZones("ams", 4)).not.toEqual(z);
  });
});

describe("parseImageRef", () => {
  it.each([
    ["localhost/fly-k3s-node:dev", "localhost", "fly-k3s-node", "dev"],
    ["debian", "docker.io", "library/debian", "latest"],
    ["registry.fly.io/app:deployment-01H", "registry.fly.io", "app", "deployment-01H"],
    ["localhost:5000/a/b", "localhost:5000", "a/b", "latest"],
  ])("%s", (image, registry, repository, tag) => {
    expect(parseImageRef(image, "sha256:x", {})).toEqual({
      registry,
      repository,
      tag,
      digest: "sha256:x",
      labels: {},
    });
  });
});

// Rate limits, latency and faults: limits-faults.test.ts.

describe("internal DNS names", () => {
  const WEB: DnsMachine[] = [
    {
      id: "aaaaaaaaaaaaaa",
      region: "iad",
      ip: "fdaa:0:10:1::a",
      started: true,
      metadata: { fly_process_group: "server", role: "ctrl" },
    },
    {
      id: "bbbbbbbbbbbbbb",
      region: "ams",
      ip: "fdaa:0:10:1::b",
      started: true,
      metadata: {},
    },
    {
      id: "cccccccccccccc",
      region: "iad",
      ip: "fdaa:0:10:1::c",
      started: false,
      metadata: { fly_process_group: "server" },
    },
  ];
  const view: DnsView = {
    apiAddress: "fdaa:0:10::3",
    apps: () => ["web", "db"],
    machines: (app) => (app === "web" ? WEB : []),
  };
  const ips = (name: string, type = "AAAA"): unknown[] =>
    (resolveInternal(view, name, type)?.answers ?? []).map((a) => (a as { data: unknown }).data);

  it("<app>.internal returns started machines only", () => {
    expect(ips("web.internal")).toEqual(["fdaa:0:10:1::a", "fdaa:0:10:1::b"]);
    expect(ips("global.web.internal")).toEqual(["fdaa:0:10:1::a", "fdaa:0:10:1::b"]);
    expect(ips("WEB.internal.")).toHaveLength(2);
  });

  it("<region>.<app>.internal and <id>.vm.<app>.internal", () => {
    expect(ips("iad.web.internal")).toEqual(["fdaa:0:10:1::a"]);
    expect(ips("bbbbbbbbbbbbbb.vm.web.internal")).toEqual(["fdaa:0:10:1::b"]);
    expect(ips("cccccccccccccc.vm.web.internal")).toEqual([]);
    expect(resolveInternal(view, "cccccccccccccc.vm.web.internal", "AAAA")?.rcode).toBe("NOERROR");
    expect(resolveInternal(view, "dddddddddddddd.vm.web.internal", "AAAA")?.rcode).toBe("NXDOMAIN");
  });

  it("process groups, metadata kv and topN.nearest.of", () => {
    expect(ips("server.process.web.internal")).toEqual(["fdaa:0:10:1::a"]);
    expect(ips("ctrl.role.kv._metadata.web.internal")).toEqual(["fdaa:0:10:1::a"]);
    expect(ips("top1.nearest.of.web.internal")).toEqual(["fdaa:0:10:1::a"]);
    expect(ips("top5.nearest.of.web.internal")).toHaveLength(2);
  });

  it("TXT lists", () => {
    expect(ips("_apps.internal", "TXT")).toEqual(["db,web"]);
    expect(ips("vms.web.internal", "TXT")).toEqual(["aaaaaaaaaaaaaa iad,bbbbbbbbbbbbbb ams"]);
    expect(ips("regions.web.internal", "TXT")).toEqual(["ams,iad"]);
    expect(ips("all.regions.web.internal", "TXT")).toEqual(["ams,iad"]);
    expect(ips("_api.internal")).toEqual(["fdaa:0:10::3"]);
  });

  it("unknown apps are NXDOMAIN; A queries get no answers; other names are not ours", () => {
    expect(resolveInternal(view, "nope.internal", "AAAA")?.rcode).toBe("NXDOMAIN");
    expect(resolveInternal(view, "web.internal", "A")).toEqual({ rcode: "NOERROR", answers: [] });
    expect(resolveInternal(view, "deb.debian.org", "A")).toBeUndefined();
  });
});
