/**
 * The etcd snapshots' S3 keys through a whole ./k3s.sh -c on the local Fly
 * (real OpenTofu, providers and podman): taken from the operator's
 * environment, they reach every server's volume (0600) and nothing else: not
 * a machine's environment, not the synthesized stack, not the Terraform
 * state, not the deploy's output.
 */
import * as fs from "fs";
import * as path from "path";
import { controlPlaneAppName, nodeGroupAppName } from "../../config/naming";
import { S3_CREDENTIALS_FILE } from "../../contract/node-paths";
import { k3s } from "../../bench/harness";
import { scratchOnLocalFly } from "./scratch-on-local-fly";

jest.setTimeout(600_000);

const KEY_ID = "AKIDS3KEYSDEPLOYTEST01";
const SECRET = "s3keys+deploy/test/SECRET0123456789abcdefXYZ";

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

describe("S3 keys through ./k3s.sh -c on the local Fly", () => {
  const scratch = scratchOnLocalFly("s3-keys", 1, (configFile) =>
    fs.appendFileSync(
      configFile,
      "SNAPSHOT_S3_BUCKET=local-etcd\nSNAPSHOT_S3_ENDPOINT=127.0.0.1:9000\nSNAPSHOT_S3_INSECURE=true\n",
    ),
  );
  const { cluster } = scratch;

  it("writes them onto each server's volume and into no env, stack, state or output", async () => {
    const fly = scratch.fly;
    const env = {
      ...fly.env,
      SNAPSHOT_S3_ACCESS_KEY_ID: KEY_ID,
      SNAPSHOT_S3_SECRET_ACCESS_KEY: SECRET,
    };
    const r = await k3s({ ...fly, env }, ["-c", "--no-verify", cluster.dir]);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.code).toBe(0);

    const cp = controlPlaneAppName(cluster.name);
    // The bootstrap step writes them before its decision, which k3s waits for
    // (the join steps do the same on an image with k3s); the sync after the
    // apply finds them there.
    const out = r.stdout + r.stderr;
    expect(out).toContain(`before k3s starts: ${cp}/ctrl-0`);
    expect(out).toMatch(
      new RegExp(`S3 snapshot credentials unchanged after the apply: [^\\n]*${cp}/ctrl-0`),
    );
    const servers = (await fly.api.listMachines(cp)).filter((m) => m.state !== "destroyed");
    expect(servers).toHaveLength(3);
    for (const m of servers) {
      const mode = await fly.api.exec(cp, m.id, ["stat", "-c", "%a", S3_CREDENTIALS_FILE]);
      expect(mode.stdout.trim()).toBe("600");
      const text = await fly.api.exec(cp, m.id, ["cat", S3_CREDENTIALS_FILE]);
      expect(text.stdout).toContain(`etcd-s3-access-key=${KEY_ID}`);
      expect(m.config.env?.K3S_SNAPSHOT_S3_BUCKET).toBe("local-etcd");
    }
    const ng = nodeGroupAppName(cluster.name, "0");
    for (const m of await fly.api.listMachines(ng)) {
      const absent = await fly.api.exec(ng, m.id, ["test", "-e", S3_CREDENTIALS_FILE]);
      expect(absent.exit_code).not.toBe(0);
    }

    // Every machine config, the synthesized stack and the Terraform state.
    const seen: string[] = [];
    for (const app of [cp, ng]) {
      for (const m of await fly.api.listMachines(app)) seen.push(JSON.stringify(m.config));
    }
    const stackDir = path.join("cdktf.out", "stacks", cluster.name);
    // (.terraform/ holds the provider binaries and lock: nothing of the stack's values.)
    const files = [...filesUnder(stackDir), ...filesUnder(fly.env.FLY_K3S_STATE_DIR)].filter(
      (f) => !f.split(path.sep).includes(".terraform"),
    );
    expect(files.some((f) => f.endsWith("cdk.tf.json"))).toBe(true);
    expect(files.some((f) => f.endsWith(".tfstate"))).toBe(true);
    for (const f of files) seen.push(fs.readFileSync(f, "latin1"));
    for (const text of seen) {
      expect(text).not.toContain(KEY_ID);
      expect(text).not.toContain(SECRET);
    }
  });
});
