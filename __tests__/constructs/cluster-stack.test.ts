import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { EMULATOR_TEST_IMAGE } from "../../config/naming";
import { ClusterStack } from "../../constructs/cluster-stack";
import { exampleConfig, opsArgs, resources, synthExample } from "./fixtures";

const ADDRESSES = path.join(__dirname, "fly-k3s-poc.addresses.txt");

/** Sorted Terraform addresses: construct ids are a contract (renaming replaces machines). */
function addresses(json: ReturnType<typeof synthExample>["json"]): string[] {
  return Object.entries(json.resource)
    .flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`))
    .sort();
}

describe("ClusterStack", () => {
  const { json } = synthExample(["0"]);

  it("keeps resource addresses stable (update fly-k3s-poc.addresses.txt in a reviewed change)", () => {
    const expected = fs.readFileSync(ADDRESSES, "utf8").trim().split("\n");
    expect(addresses(json)).toEqual(expected);
  });

  it("keeps state locally in a file it does not name: tofu init is given it where the stack is applied", () => {
    expect(json.terraform.backend).toEqual({ local: {} });
  });

  it("stores state in S3 with S3-native locking when given a bucket, and no credentials", () => {
    const s3State = {
      bucket: "state",
      key: "fly/fly-k3s-poc/terraform.tfstate",
      region: "us-east-1",
    };
    const aws = synthExample([], undefined, { s3State }).json;
    expect(aws.terraform.backend).toEqual({
      s3: { ...s3State, use_lockfile: true },
    });
    const tigris = synthExample([], undefined, {
      s3State: { ...s3State, region: "auto", endpoint: "https://fly.storage.tigris.dev" },
    }).json;
    expect(tigris.terraform.backend).toEqual({
      s3: {
        ...s3State,
        region: "auto",
        endpoints: { s3: "https://fly.storage.tigris.dev" },
        use_path_style: true,
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        use_lockfile: true,
      },
    });
  });

  it("pins the Fly and null providers and configures no credentials", () => {
    expect(json.terraform.required_providers).toEqual({
      fly: { source: "stategraph/fly", version: "= 0.2.4" },
      null: { source: "null", version: "3.2.4" },
    });
    expect(json.provider).toEqual({ fly: [{}], null: [{}] });
  });

  it("outputs the control-plane app and the bootstrap machine", () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual([
      "bootstrap_machine_id",
      "control_plane_app",
      "node_group_apps",
    ]);
  });

  it("matches the snapshot", () => {
    expect(resources(json, "fly_machine")).toMatchSnapshot();
  });

  it("declares only the Fly-side steps when the node image has no k3s", () => {
    const bare = synthExample(["0"], undefined, { k3sSteps: false }).json;
    const commands = Object.values(resources(bare, "null_resource")).map(
      (r) => (r.provisioner as { "local-exec": { command: string } }[])[0]["local-exec"].command,
    );
    const subs = commands.map((c) => opsArgs(c)?.split(" ")[0]).sort();
    // The bootstrap step runs without k3s too: it decides found or join by
    // asking the other servers for etcd data, which needs only a shell.
    expect(subs).toEqual([
      "bootstrap",
      ...Array(9).fill("roll"),
      ...Array(9).fill("snapshots-off"),
    ]);
    const bootstrap = commands.find((c) => opsArgs(c)?.startsWith("bootstrap "));
    expect(bootstrap).not.toContain("--wait-ready");
    expect(Object.keys(resources(bare, "fly_machine"))).toHaveLength(9);
  });

  it("leaves the k3s steps out by default when the node image is the local Fly's test image", () => {
    const config = { ...exampleConfig(), nodeImage: EMULATOR_TEST_IMAGE };
    const stack = new ClusterStack(Testing.app(), "t", { config });
    expect(stack.k3sSteps).toBe(false);
    expect(stack.controlPlane.kubeconfig).toBeUndefined();
    expect(new ClusterStack(Testing.app(), "u", { config: exampleConfig() }).k3sSteps).toBe(true);
  });
});
