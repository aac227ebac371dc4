import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { checkConfigText, validateConfigText } from "../../config/load";

const EXAMPLE = fs.readFileSync(path.join(__dirname, "../../clusters/fly-k3s-poc/config"), "utf8");
const FILE = "clusters/fly-k3s-poc/config";

/** The example config with some keys replaced. */
function withKeys(values: Record<string, string>): string {
  return EXAMPLE.split("\n")
    .map((l) => {
      const key = l.split("=")[0];
      return key in values ? `${key}=${values[key]}` : l;
    })
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

const at = (line: number, text: string) => `${FILE}:${line}: ${text}`;

describe("K3S_VERSION floor", () => {
  it.each([
    ["v1.24.15+k3s1"], // the seed's pin
    ["v1.30.14+k3s2"],
  ])("refuses %s with the flag that sets the floor", (version) => {
    expect(messages(withKeys({ K3S_VERSION: `"${version}"` }))).toEqual([
      at(
        13,
        `K3S_VERSION: ${version} is older than the supported floor v1.31.0+k3s1 (the node renders kubelet flag fail-cgroupv1, added in Kubernetes 1.31); use v1.36.3+k3s1 or newer`,
      ),
    ]);
  });

  it.each(["v1.31.0+k3s1", "v1.36.3+k3s1", "v1.40.0+k3s2"])("accepts %s", (version) => {
    expect(messages(withKeys({ K3S_VERSION: version }))).toEqual([]);
  });
});

describe("address plan", () => {
  it.each<[string, Record<string, string>, string[]]>([
    [
      "a service range holding the whole pod range",
      { SERVICE_CIDR: '"dead:beef:2::/112,10.0.0.0/8"' },
      [
        at(
          3,
          'SERVICE_CIDR: IPv4 service range 10.0.0.0/8 holds the whole IPv4 pod range 10.1.0.0/16 (CLUSTER_CIDR); kube-controller-manager reserves every node subnet that holds service addresses, so no node gets a pod subnet ("no remaining CIDRs left to allocate"); pick a service range outside CLUSTER_CIDR',
        ),
      ],
    ],
    [
      "a service range equal to the pod range",
      { SERVICE_CIDR: '"dead:beef:1:0::/56,10.2.0.0/16"', CLUSTER_DNS: "dead:beef:1::a" },
      [
        at(
          3,
          'SERVICE_CIDR: IPv6 service range dead:beef:1:0::/56 is the same range as the IPv6 pod range dead:beef:1:0::/56 (CLUSTER_CIDR); kube-controller-manager reserves every node subnet that holds service addresses, so no node gets a pod subnet ("no remaining CIDRs left to allocate"); pick a service range outside CLUSTER_CIDR',
        ),
      ],
    ],
    [
      "a service range inside the pod range that leaves too few node subnets",
      {
        CLUSTER_CIDR: '"dead:beef:1:0::/56,10.1.0.0/20"',
        SERVICE_CIDR: '"dead:beef:2::/112,10.1.0.0/21"',
      },
      [
        at(
          3,
          "SERVICE_CIDR: IPv4 service range 10.1.0.0/21 lies inside the IPv4 pod range 10.1.0.0/20 (CLUSTER_CIDR); kube-controller-manager reserves the 8 node subnets it spans, 10.1.0.0/24 to 10.1.7.0/24, leaving room for 8 nodes (one /24 each), but the cluster has at least 9 (3 servers and NODE_GROUP_SIZE workers); pick a service range outside CLUSTER_CIDR or a larger pod range",
        ),
      ],
    ],
    [
      "an IPv6 service range taking one of too few node subnets",
      {
        CLUSTER_CIDR: '"dead:beef:1::/60,10.1.0.0/16"',
        SERVICE_CIDR: '"dead:beef:1:f::/112,10.2.0.0/16"',
        CLUSTER_DNS: "dead:beef:1:f::a",
        NODE_GROUP_SIZE: "13",
      },
      [
        at(
          3,
          "SERVICE_CIDR: IPv6 service range dead:beef:1:f::/112 lies inside the IPv6 pod range dead:beef:1::/60 (CLUSTER_CIDR); kube-controller-manager reserves the node subnet dead:beef:1:f::/64 that holds it, leaving room for 15 nodes (one /64 each), but the cluster has at least 16 (3 servers and NODE_GROUP_SIZE workers); pick a service range outside CLUSTER_CIDR or a larger pod range",
        ),
      ],
    ],
    [
      "an IPv6 pod range smaller than one node's /64",
      { CLUSTER_CIDR: '"dead:beef:1::/120,10.1.0.0/16"' },
      [
        at(
          2,
          "CLUSTER_CIDR: IPv6 pod range dead:beef:1::/120 is smaller than one node's pod subnet (/64: k3s's controller manager gives each node a /64, node-cidr-mask-size-ipv6=64), so no node fits; use a range shorter than /64 (a /56 holds 256 nodes)",
        ),
      ],
    ],
    [
      "an IPv6 pod range of exactly one node",
      { CLUSTER_CIDR: '"dead:beef:1::/64,10.1.0.0/16"' },
      [
        at(
          2,
          "CLUSTER_CIDR: IPv6 pod range dead:beef:1::/64 is the same size as one node's pod subnet (/64: k3s's controller manager gives each node a /64, node-cidr-mask-size-ipv6=64), so only one node fits; use a range shorter than /64 (a /56 holds 256 nodes)",
        ),
      ],
    ],
    [
      "an IPv6 pod range more than 16 bits above the node mask",
      { CLUSTER_CIDR: '"dead:be00::/40,10.1.0.0/16"' },
      [
        at(
          2,
          "CLUSTER_CIDR: IPv6 pod range dead:be00::/40 is too large: kube-controller-manager allows at most 16 bits between the cluster range and the /64 node subnets (got 24) and fails to start; use /48 or longer (a /56 holds 256 nodes)",
        ),
      ],
    ],
    [
      "an IPv6 pod range with room for fewer nodes than the cluster has",
      { CLUSTER_CIDR: '"dead:beef:1::/62,10.1.0.0/16"' },
      [
        at(
          2,
          "CLUSTER_CIDR: IPv6 pod range dead:beef:1::/62 has room for 4 nodes (one /64 each), but the cluster has at least 9 (3 servers and NODE_GROUP_SIZE workers); use a range shorter than /62 (a /56 holds 256 nodes)",
        ),
      ],
    ],
    [
      "a pod range too small for the cluster, once, with a service range inside it",
      {
        CLUSTER_CIDR: '"dead:beef:1::/62,10.1.0.0/16"',
        SERVICE_CIDR: '"dead:beef:1:1::/112,10.2.0.0/16"',
        CLUSTER_DNS: "dead:beef:1:1::a",
      },
      [
        at(
          2,
          "CLUSTER_CIDR: IPv6 pod range dead:beef:1::/62 has room for 4 nodes (one /64 each), but the cluster has at least 9 (3 servers and NODE_GROUP_SIZE workers); use a range shorter than /62 (a /56 holds 256 nodes)",
        ),
      ],
    ],
    [
      "an IPv4 pod range of exactly one node",
      { CLUSTER_CIDR: '"dead:beef:1::/56,10.1.0.0/24"' },
      [
        at(
          2,
          "CLUSTER_CIDR: IPv4 pod range 10.1.0.0/24 is the same size as one node's pod subnet (/24: k3s's controller manager gives each node a /24, node-cidr-mask-size-ipv4=24), so only one node fits; use a range shorter than /24 (a /16 holds 256 nodes)",
        ),
      ],
    ],
    [
      "an IPv4 pod range too small for the cluster",
      { CLUSTER_CIDR: '"dead:beef:1::/56,10.1.0.0/23"' },
      [
        at(
          2,
          "CLUSTER_CIDR: IPv4 pod range 10.1.0.0/23 has room for 2 nodes (one /24 each), but the cluster has at least 9 (3 servers and NODE_GROUP_SIZE workers); use a range shorter than /23 (a /16 holds 256 nodes)",
        ),
      ],
    ],
    [
      "a service range under 8 addresses",
      { SERVICE_CIDR: '"dead:beef:2::/126,10.2.0.0/16"', CLUSTER_DNS: "dead:beef:2::2" },
      [
        at(
          3,
          "SERVICE_CIDR: IPv6 service range dead:beef:2::/126 holds 4 addresses; kube-apiserver needs at least 8 (/125 or shorter)",
        ),
      ],
    ],
    [
      "an IPv6 service range over 2^20 addresses before Kubernetes 1.34",
      { SERVICE_CIDR: '"dead:beef:2::/100,10.2.0.0/16"', K3S_VERSION: "v1.33.5+k3s1" },
      [
        at(
          3,
          "SERVICE_CIDR: IPv6 service range dead:beef:2::/100 is too large for Kubernetes 1.33: kube-apiserver before 1.34 refuses more than 2^20 service addresses (mask /108 or longer); use a smaller range such as /112",
        ),
      ],
    ],
    [
      "an IPv4 service range over 2^20 addresses before Kubernetes 1.34",
      { SERVICE_CIDR: '"dead:beef:2::/112,10.64.0.0/11"', K3S_VERSION: "v1.32.1+k3s1" },
      [
        at(
          3,
          "SERVICE_CIDR: IPv4 service range 10.64.0.0/11 is too large for Kubernetes 1.32: kube-apiserver before 1.34 refuses more than 2^20 service addresses (mask /12 or longer); use a smaller range such as /16",
        ),
      ],
    ],
    [
      "CLUSTER_DNS on the kubernetes service's address",
      { CLUSTER_DNS: "dead:beef:2::1" },
      [
        at(
          4,
          "CLUSTER_DNS: dead:beef:2::1 is the first address of the IPv6 service range dead:beef:2::/112; kube-apiserver gives it to the kubernetes service; use another address in the range, such as dead:beef:2::a",
        ),
      ],
    ],
    [
      "CLUSTER_DNS on the network address",
      { CLUSTER_DNS: "dead:beef:2::" },
      [
        at(
          4,
          "CLUSTER_DNS: dead:beef:2:: is the network address of the IPv6 service range dead:beef:2::/112, which is never given to a service; use another address in the range, such as dead:beef:2::a",
        ),
      ],
    ],
    [
      "a pod range inside Fly's 6PN",
      { CLUSTER_CIDR: '"fdaa:0:18::/56,10.1.0.0/16"' },
      [
        at(
          2,
          "CLUSTER_CIDR: IPv6 pod range fdaa:0:18::/56 overlaps Fly's private network fdaa::/16 (6PN), which carries the node addresses; use a range outside it, such as a ULA under fd00::/8 other than fdaa::/16",
        ),
      ],
    ],
    [
      "a service range inside Fly's 6PN",
      { SERVICE_CIDR: '"fdaa:0:19::/112,10.2.0.0/16"', CLUSTER_DNS: "fdaa:0:19::a" },
      [
        at(
          3,
          "SERVICE_CIDR: IPv6 service range fdaa:0:19::/112 overlaps Fly's private network fdaa::/16 (6PN), which carries the node addresses; use a range outside it",
        ),
      ],
    ],
  ])("refuses %s", (_name, values, expected) => {
    expect(messages(withKeys(values))).toEqual(expected);
  });

  it.each<[string, Record<string, string>]>([
    ["the example", {}],
    [
      "a large IPv6 service range from Kubernetes 1.34",
      { SERVICE_CIDR: '"dead:beef:2::/100,10.2.0.0/16"' },
    ],
    [
      "the smallest service range",
      { SERVICE_CIDR: '"dead:beef:2::/125,10.2.0.0/16"', CLUSTER_DNS: "dead:beef:2::7" },
    ],
    ["the largest IPv6 pod range", { CLUSTER_CIDR: '"dead:beef::/48,10.1.0.0/16"' }],
    [
      "the local cluster's plan",
      {
        CLUSTER_CIDR: '"fd00:10:42::/56,10.42.0.0/16"',
        SERVICE_CIDR: '"fd00:10:43::/112,10.43.0.0/16"',
        CLUSTER_DNS: "fd00:10:43::a",
      },
    ],
  ])("accepts %s", (_name, values) => {
    expect(messages(withKeys(values))).toEqual([]);
  });
});

describe("service range inside the pod range", () => {
  it.each<[string, Record<string, string>, string]>([
    [
      "an IPv6 /112 in the /56 (the original tool's plan)",
      { SERVICE_CIDR: '"dead:beef:1:1::/112,10.2.0.0/16"', CLUSTER_DNS: "dead:beef:1:1::10" },
      "IPv6 service range dead:beef:1:1::/112 lies inside the IPv6 pod range dead:beef:1:0::/56 (CLUSTER_CIDR); kube-controller-manager reserves the node subnet dead:beef:1:1::/64 that holds it, so no node gets that subnet (255 of 256 node subnets left); pick a service range outside CLUSTER_CIDR to keep them all",
    ],
    [
      "an IPv4 /28 in the /16",
      { SERVICE_CIDR: '"dead:beef:2::/112,10.1.7.16/28"' },
      "IPv4 service range 10.1.7.16/28 lies inside the IPv4 pod range 10.1.0.0/16 (CLUSTER_CIDR); kube-controller-manager reserves the node subnet 10.1.7.0/24 that holds it, so no node gets that subnet (255 of 256 node subnets left); pick a service range outside CLUSTER_CIDR to keep them all",
    ],
    [
      "an IPv4 /20 in the /16, larger than a node subnet",
      { SERVICE_CIDR: '"dead:beef:2::/112,10.1.128.0/20"' },
      "IPv4 service range 10.1.128.0/20 lies inside the IPv4 pod range 10.1.0.0/16 (CLUSTER_CIDR); kube-controller-manager reserves the 16 node subnets it spans, 10.1.128.0/24 to 10.1.143.0/24, so no node gets them (240 of 256 node subnets left); pick a service range outside CLUSTER_CIDR to keep them all",
    ],
    [
      "a service range leaving exactly as many node subnets as nodes",
      {
        CLUSTER_CIDR: '"dead:beef:1::/60,10.1.0.0/16"',
        SERVICE_CIDR: '"dead:beef:1:f::/112,10.2.0.0/16"',
        CLUSTER_DNS: "dead:beef:1:f::a",
        NODE_GROUP_SIZE: "12",
      },
      "IPv6 service range dead:beef:1:f::/112 lies inside the IPv6 pod range dead:beef:1::/60 (CLUSTER_CIDR); kube-controller-manager reserves the node subnet dead:beef:1:f::/64 that holds it, so no node gets that subnet (15 of 16 node subnets left); pick a service range outside CLUSTER_CIDR to keep them all",
    ],
  ])("accepts %s with a warning on SERVICE_CIDR's line", (_name, values, message) => {
    const { warnings } = checkConfigText(FILE, withKeys(values));
    expect(warnings).toEqual([{ line: 3, key: "SERVICE_CIDR", message }]);
  });

  it("warns once per family when both service ranges lie inside the pod ranges", () => {
    const { warnings } = checkConfigText(
      FILE,
      withKeys({
        SERVICE_CIDR: '"dead:beef:1:1::/112,10.1.255.0/24"',
        CLUSTER_DNS: "dead:beef:1:1::10",
      }),
    );
    expect(warnings.map((w) => [w.key, w.message.split(";")[0]])).toEqual([
      [
        "SERVICE_CIDR",
        "IPv6 service range dead:beef:1:1::/112 lies inside the IPv6 pod range dead:beef:1:0::/56 (CLUSTER_CIDR)",
      ],
      [
        "SERVICE_CIDR",
        "IPv4 service range 10.1.255.0/24 lies inside the IPv4 pod range 10.1.0.0/16 (CLUSTER_CIDR)",
      ],
    ]);
  });

  it("has no address-plan warning for disjoint ranges (the example)", () => {
    expect(checkConfigText(FILE, EXAMPLE).warnings).toEqual([]);
  });
});
