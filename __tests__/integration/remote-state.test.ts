/**
 * clusters/local with its state in S3 instead of a local file: the real
 * OpenTofu S3 backend with S3-native locking (use_lockfile) against a real
 * S3-compatible server (versitygw, built by npm run setup from its Go module,
 * __tests__/support/s3-server.ts), the real providers and the local Fly.
 *
 * Two checkouts (two synthesized copies, as two CI runners or a laptop and CI
 * would have) share one remote state: deploys started at the same moment are
 * serialized by the lock, the loser failing with the holder's name or, with
 * -lock-timeout, waiting its turn.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { S3Server, startS3Server, versitygwBinary } from "../support/s3-server";
import { deploy as deployStack } from "../../ops/deploy";
import { MachinesApi } from "../../ops/machines-api";
import { copyClusters, synthIn } from "../scratch-clusters";
import { requireToolchain, tofuAsync } from "../toolchain";
import { LocalFly, startLocalFly } from "./local-fly";

jest.setTimeout(900_000);

const KEY = "local/local/terraform.tfstate";
/** A k3s join token starts with K10 and a hex CA hash. */
const K3S_TOKEN = /K10[0-9a-f]{16,}/;

describe("clusters/local with remote state in S3, on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let s3: S3Server;
  let env: Record<string, string>;
  /** Two working copies sharing the one remote state. */
  const works: string[] = [];

  const stackDir = (w: string) => path.join(w, "cdktf.out/stacks/local");
  const tf = (w: string, ...args: string[]) => tofuAsync([`-chdir=${stackDir(w)}`, ...args], env);
  /** A deploy as the CLI runs it (ops/deploy.ts), each locking command with the given -lock-timeout. */
  const deploy = (w: string, lockTimeout: string) =>
    deployStack((args, extra) =>
      tofuAsync(
        [
          `-chdir=${stackDir(w)}`,
          args[0],
          ...(args[0] === "apply" ? [`-lock-timeout=${lockTimeout}`] : []),
          ...args.slice(1),
        ],
        { ...env, ...extra },
      ),
    );
  function synth(w: string): void {
    const r = synthIn(w, env);
    if (r.status !== 0) throw new Error(`synth: ${r.stderr}`);
  }
  const setGroups = (groups: string) => {
    for (const w of works) {
      fs.writeFileSync(path.join(w, "clusters/local/node-groups"), groups);
      synth(w);
    }
  };
  const setMemory = (mb: number) => {
    for (const w of works) {
      const file = path.join(w, "clusters/local/config");
      fs.writeFileSync(
        file,
        fs.readFileSync(file, "utf8").replace(/^CP_VM_MEMORY=\d+$/m, `CP_VM_MEMORY=${mb}`),
      );
      synth(w);
    }
  };
  const stateText = async () => {
    const text = await s3.getObject(KEY);
    if (text === undefined) throw new Error(`no state object s3://${s3.bucket}/${KEY}`);
    return text;
  };
  const summary = (stdout: string) =>
    /Resources: \d+ added, \d+ changed, \d+ destroyed/.exec(stdout)?.[0];

  beforeAll(async () => {
    requireToolchain();
    // Fails the suite, saying to run npm run setup, when the server is not built.
    versitygwBinary();
    s3 = await startS3Server();
    fly = await startLocalFly();
    api = fly.api();
    for (const name of ["a", "b"]) {
      const w = fs.mkdtempSync(path.join(os.tmpdir(), `fly-k3s-remote-${name}-`));
      copyClusters(w);
      works.push(w);
    }
    env = {
      // The stack goes to Fly the way ./k3s.sh sends it: through the pacer.
      FLY_API_URL: fly.pacedUrl,
      FLY_API_TOKEN: fly.emu.token,
      FLY_K3S_TARGET: "local",
      ...s3.env,
    };
    setGroups("");
    for (const w of works) {
      const init = await tf(w, "init", "-input=false", "-no-color");
      if (init.status !== 0) throw new Error(`tofu init: ${init.stderr}`);
    }
  });

  afterAll(async () => {
    await fly?.stop();
    await s3?.stop();
  });

  it("synthesizes the S3 backend with locking and no credential, and OpenTofu accepts it", async () => {
    const text = fs.readFileSync(path.join(stackDir(works[0]), "cdk.tf.json"), "utf8");
    expect(JSON.parse(text).terraform.backend).toEqual({
      s3: {
        bucket: s3.bucket,
        key: KEY,
        region: s3.region,
        endpoints: { s3: s3.endpoint },
        use_path_style: true,
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        use_lockfile: true,
      },
    });
    expect(text).not.toContain(env.AWS_ACCESS_KEY_ID);
    expect(text).not.toContain(env.AWS_SECRET_ACCESS_KEY);
    const v = await tf(works[0], "validate", "-no-color");
    expect(v.stdout).toContain("The configuration is valid.");
    expect(v.status).toBe(0);
  });

  it("deploys the control plane with its state in S3 only", async () => {
    const r = await deploy(works[0], "0s");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect((await api.listMachines("local-cp")).map((m) => m.state)).toEqual([
      "started",
      "started",
      "started",
    ]);
    const state = JSON.parse(await stateText()) as { resources: unknown[] };
    expect(state.resources.length).toBeGreaterThan(0);
    // Nothing local: neither the default state directory nor a file in the stack.
    for (const w of works) {
      expect(fs.existsSync(path.join(w, "state"))).toBe(false);
      expect(fs.existsSync(path.join(stackDir(w), "terraform.tfstate"))).toBe(false);
    }
    expect(await s3.listKeys()).toEqual([KEY]);
  });

  it("two deploys at the same moment: one takes the lock, the other fails naming its holder", async () => {
    setGroups("0\n");
    const [a, b] = await Promise.all(works.map((w) => deploy(w, "0s")));
    const won = [a, b].filter((r) => r.status === 0);
    const lost = [a, b].filter((r) => r.status !== 0);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(summary(won[0].stdout)).toMatch(/^Resources: [1-9]\d* added, 0 changed, 0 destroyed$/);
    const err = lost[0].stderr;
    expect(err).toContain("Error acquiring the state lock");
    expect(err).toContain("PreconditionFailed");
    expect(err).toMatch(/Lock Info:\s+ID:\s+[0-9a-f-]{36}/);
    expect(err).toMatch(new RegExp(`Path:\\s+${s3.bucket}/${KEY}`));
    expect(err).toMatch(/Operation:\s+OperationTypeApply/);
    expect(err).toMatch(/Who:\s+\S+@\S+/);
    console.log(`the deploy that lost the lock:\n${err.trim()}`);
    // The winner released its lock.
    expect(await s3.listKeys()).toEqual([KEY]);
    expect(await api.listMachines("local-ng-0")).toHaveLength(2);
  });

  it("with -lock-timeout, the other waits its turn and then finds nothing left to do", async () => {
    setMemory(4096);
    const t0 = Date.now();
    const results = await Promise.all(works.map((w) => deploy(w, "10m")));
    const took = ((Date.now() - t0) / 1000).toFixed(0);
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
    // Serialized by the lock: the three roll steps ran once, not once per deploy
    // (each server's roll is an apply of its own, its turn: whichever deploy
    // holds the lock rolls it, the other then finds it done).
    const totals = results
      .flatMap((r) => [
        ...r.stdout.matchAll(/Resources: (\d+) added, (\d+) changed, (\d+) destroyed/g),
      ])
      .reduce((t, m) => t.map((n, i) => n + Number(m[i + 1])), [0, 0, 0]);
    const [added, changed, destroyed] = totals;
    console.log(
      `two deploys with -lock-timeout=10m (${took} s): ${added} added, ${changed} changed, ${destroyed} destroyed in all`,
    );
    expect(totals).toEqual([3, 0, 3]);
    expect((await api.listMachines("local-cp")).map((m) => m.config.guest?.memory_mb)).toEqual([
      4096, 4096, 4096,
    ]);
  });

  it("leaves a valid state in S3 that matches Fly, from either copy, and holds no k3s token", async () => {
    const text = await stateText();
    const state = JSON.parse(text) as { serial: number; lineage: string; resources: unknown[] };
    expect(state.serial).toBeGreaterThan(0);
    expect(state.lineage).toMatch(/^[0-9a-f-]{36}$/);
    expect(text).not.toMatch(K3S_TOKEN);
    expect(text).not.toContain(env.AWS_SECRET_ACCESS_KEY);
    for (const w of works) {
      const plan = await tf(w, "plan", "-input=false", "-detailed-exitcode", "-no-color");
      expect(plan.stdout).toContain("No changes.");
      expect(plan.status).toBe(0);
      const drift = await tf(
        w,
        "plan",
        "-refresh-only",
        "-input=false",
        "-detailed-exitcode",
        "-no-color",
      );
      expect(drift.status).toBe(0);
    }
  });

  it("destroys everything: no app, machine, volume or container, and an empty state in S3", async () => {
    const r = await tf(works[1], "destroy", "-input=false", "-auto-approve", "-no-color");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(await fly.leftovers()).toEqual({ apps: [], containers: [], volumes: [] });
    expect((JSON.parse(await stateText()) as { resources: unknown[] }).resources).toEqual([]);
    expect(await s3.listKeys()).toEqual([KEY]);
  });
});
