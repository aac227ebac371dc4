import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { bootstrapNodeId, parseNodeGroups, validateConfigText } from "../../config/load";

const EXAMPLE = fs.readFileSync(path.join(__dirname, "../../clusters/fly-k3s-poc/config"), "utf8");
const FILE = "clusters/fly-k3s-poc/config";

/** The example config with one key replaced (or removed when value is undefined). */
function withKey(key: string, value: string | undefined): string {
  return EXAMPLE.split("\n")
    .flatMap((l) =>
      l.startsWith(`${key}=`) ? (value === undefined ? [] : [`${key}=${value}`]) : [l],
    )
    .join("\n");
}

function messages(text: string): string[] {
  try {
    validateConfigText(FILE, text);
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split("\n");
    throw e;
  }
  return [];
}

describe("validateConfigText", () => {
  it("accepts the example and resolves it", () => {
    const c = validateConfigText(FILE, EXAMPLE);
    expect(c).toMatchObject({
      clusterName: "fly-k3s-poc",
      clusterCidr: { ipv6: "dead:beef:1:0::/56", ipv4: "10.1.0.0/16" },
      serviceCidr: { value: "dead:beef:2::/112,10.2.0.0/16" },
      clusterDns: "dead:beef:2::10",
      region: "sjc",
      nodeGroupSize: 6,
      volumeSizeGb: 250,
      volumeName: "fly_k3s_poc_data",
      worker: { size: "performance-2x", cpuKind: "performance", cpus: 2, memoryMb: 16384 },
      controlPlane: { size: "performance-4x", cpuKind: "performance", cpus: 4, memoryMb: 16384 },
      k3sVersion: "v1.36.3+k3s1",
      orgName: "fly-org-slug-goes-here",
      nodeImage: "fly-k3s/k3s-node:v1.36.3-k3s1",
    });
  });

  it("takes NODE_IMAGE when set", () => {
    expect(validateConfigText(FILE, EXAMPLE + "\nNODE_IMAGE=registry.fly.io/x:1\n").nodeImage).toBe(
      "registry.fly.io/x:1",
    );
  });

  it.each([
    ["CLUSTER_NAME", "Fly_K3s", 1, "CLUSTER_NAME: must be lowercase letters, digits and dashes"],
    [
      "CLUSTER_CIDR",
      '"10.1.0.0/16,dead:beef::/56"',
      2,
      'CLUSTER_CIDR: IPv6 range must come first for an IPv6-first cluster (got "10.1.0.0/16,dead:beef::/56"); write "dead:beef::/56,10.1.0.0/16"',
    ],
    ["CLUSTER_CIDR", "dead:beef::/56", 2, "CLUSTER_CIDR: must be dual-stack"],
    [
      "CLUSTER_CIDR",
      '"dead:beef::/56,10.1.0.0/33"',
      2,
      'CLUSTER_CIDR: "10.1.0.0/33" is not a network range',
    ],
    [
      "CLUSTER_CIDR",
      '"dead:beef::/56,10.1.0.1/16"',
      2,
      'CLUSTER_CIDR: "10.1.0.1/16" is not a network range',
    ],
    [
      "SERVICE_CIDR",
      '"dead:beef::/112,fd00::/112"',
      3,
      "SERVICE_CIDR: needs one IPv6 and one IPv4 range",
    ],
    [
      "CLUSTER_DNS",
      '"dead:beef:9::10"',
      4,
      "CLUSTER_DNS: dead:beef:9::10 is outside the IPv6 service range dead:beef:2::/112 (SERVICE_CIDR); pick an address inside it, such as dead:beef:2::a",
    ],
    ["CLUSTER_DNS", "10.2.0.10", 4, "CLUSTER_DNS: must be an IPv6 address"],
    ["REGION", "mia", 5, "REGION: must be a Fly region code: ams,"],
    ["NODE_GROUP_SIZE", "six", 6, 'NODE_GROUP_SIZE: must be a whole number (got "six")'],
    ["NODE_GROUP_SIZE", "0", 6, "NODE_GROUP_SIZE: must be between 1 and 64 (got 0)"],
    ["VOLUME_SIZE", "501", 7, "VOLUME_SIZE: must be between 1 and 500 GB (got 501)"],
    [
      "VOLUME_NAME",
      "fly-data",
      8,
      "VOLUME_NAME: must be lowercase letters, digits and underscores",
    ],
    [
      "WORKER_VM_SIZE",
      "performance-3x",
      9,
      'WORKER_VM_SIZE: "performance-3x" is not a Fly VM size',
    ],
    ["WORKER_VM_MEMORY", "1000", 10, "WORKER_VM_MEMORY: must be a multiple of 256 MB (got 1000)"],
    [
      "WORKER_VM_MEMORY",
      "2048",
      10,
      "WORKER_VM_MEMORY: 2048 MB is not allowed for performance-2x; use 4096 to 16384 MB",
    ],
    [
      "CP_VM_MEMORY",
      "65536",
      12,
      "CP_VM_MEMORY: 65536 MB is not allowed for performance-4x; use 8192 to 32768 MB",
    ],
    ["K3S_VERSION", "1.33.5", 13, 'K3S_VERSION: must be a k3s release such as "v1.36.3+k3s1"'],
    ["ORG_NAME", "My Org", 14, "ORG_NAME: unquoted whitespace in value"],
  ])("%s=%s is refused on its line", (key, value, line, message) => {
    const out = messages(withKey(key, value));
    expect(out).toHaveLength(1);
    expect(out[0].startsWith(`${FILE}:${line}: ${message}`)).toBe(true);
  });

  it("reports a missing key at the end of the file", () => {
    expect(messages(withKey("REGION", undefined))).toEqual([
      `${FILE}:13: REGION: is required but not set`,
    ]);
  });

  it("suggests the closest key for an unknown one", () => {
    expect(messages(EXAMPLE + "REGOIN=sjc\n")).toEqual([
      `${FILE}:15: REGOIN: unknown key; did you mean REGION?`,
    ]);
    expect(messages(EXAMPLE + "SOMETHING_ELSE=1\n")).toEqual([
      `${FILE}:15: SOMETHING_ELSE: unknown key`,
    ]);
  });

  it("lists every problem, in line order", () => {
    const text = withKey("CLUSTER_NAME", "BAD").replace("REGION=sjc", "REGION=xxx");
    expect(messages(text).map((m) => m.split(": ")[0])).toEqual([`${FILE}:1`, `${FILE}:5`]);
  });
});

describe("parseNodeGroups", () => {
  it("reads ids with comments", () => {
    expect(parseNodeGroups("f", "# groups\n0\n\ngpu # big ones\n")).toEqual(["0", "gpu"]);
  });
  it.each([
    ["Bad", 'f:1: node group id "Bad" must be 1 to 8 lowercase letters or digits'],
    ["0\n0", "f:2: node group 0 is listed twice"],
  ])("rejects %j", (text, message) => {
    expect(() => parseNodeGroups("f", text)).toThrow(message);
  });
});

describe("bootstrapNodeId", () => {
  it("defaults to 0", () => expect(bootstrapNodeId({})).toBe(0));
  it("reads BOOTSTRAP_NODE_ID", () => expect(bootstrapNodeId({ BOOTSTRAP_NODE_ID: "2" })).toBe(2));
  it.each(["3", "-1", "x"])("rejects %s", (v) => {
    expect(() => bootstrapNodeId({ BOOTSTRAP_NODE_ID: v })).toThrow(
      "BOOTSTRAP_NODE_ID must be 0 to 2",
    );
  });
});
