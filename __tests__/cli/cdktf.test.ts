/**
 * `npm run cdktf -- deploy|apply|destroy` (cli/cdktf.ts): what it takes and
 * what it refuses, and the init arguments that give a stack its state file
 * (cli/stack.ts) where it is applied.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStackCommand, stackCommandOf } from "../../cli/cdktf";
import { stackInitArgs, stackInitEnv } from "../../cli/stack";

const CLUSTERS = ["fly-k3s-poc", "local"];

describe("parseStackCommand", () => {
  it.each([
    [
      ["deploy", "local", "--auto-approve"],
      { command: "deploy", stacks: ["local"], skipSynth: false },
    ],
    [
      ["apply", "local", "--auto-approve"],
      { command: "deploy", stacks: ["local"], skipSynth: false },
    ],
    [
      ["deploy", "local", "--skip-synth", "--auto-approve", "--no-color"],
      { command: "deploy", stacks: ["local"], skipSynth: true },
    ],
    [
      ["destroy", "*", "--auto-approve"],
      { command: "destroy", stacks: CLUSTERS, skipSynth: false },
    ],
    [
      ["deploy", "local", "fly-k3s-poc", "local", "--auto-approve"],
      { command: "deploy", stacks: ["local", "fly-k3s-poc"], skipSynth: false },
    ],
  ])("%j", (args, parsed) => {
    expect(parseStackCommand(args, CLUSTERS)).toEqual(parsed);
  });

  it("takes the only stack when none is named", () => {
    expect(parseStackCommand(["deploy", "--auto-approve"], ["local"]).stacks).toEqual(["local"]);
  });

  it.each([
    [
      ["deploy", "--auto-approve"],
      "name the stack to deploy (stacks: fly-k3s-poc, local), e.g. npm run cdktf -- deploy fly-k3s-poc --auto-approve",
    ],
    [
      ["deploy", "prod", "--auto-approve"],
      "no stack prod (stacks: fly-k3s-poc, local); a stack is named after its cluster's CLUSTER_NAME",
    ],
    [
      ["deploy", "local"],
      "npm run cdktf -- deploy does not ask before it applies: give --auto-approve (see the changes first with npm run cdktf -- diff local)",
    ],
    [
      ["destroy", "local", "--parallelism=3", "--auto-approve"],
      "npm run cdktf -- destroy runs the destroy of ./k3s.sh -d (cli/stack.ts), which takes --auto-approve, --skip-synth, --no-color (got --parallelism=3); leave --parallelism=3 out",
    ],
  ])("refuses %j", (args, message) => {
    expect(() => parseStackCommand(args, CLUSTERS)).toThrow(message);
  });

  it("leaves every other command to the cdktf CLI", () => {
    expect(["deploy", "apply", "destroy"].map((c) => stackCommandOf([c]))).toEqual([
      "deploy",
      "deploy",
      "destroy",
    ]);
    for (const c of ["diff", "plan", "output", "synth", "get", "constructor", ""])
      expect(stackCommandOf([c])).toBeUndefined();
  });
});

describe("the state file given to tofu init", () => {
  const env = { FLY_K3S_STATE_DIR: "/s p/it's", FLY_K3S_TARGET: "local" };
  function stackDir(backend: unknown): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-init-"));
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ terraform: { backend } }));
    return dir;
  }

  it("completes a synthesized local backend with this machine's file; leaves an S3 backend alone", () => {
    expect(stackInitArgs(stackDir({ local: {} }), "local", env)).toEqual([
      "-backend-config=path=/s p/it's/local/local/terraform.tfstate",
    ]);
    expect(stackInitArgs(stackDir({ s3: { bucket: "b" } }), "local", env)).toEqual([]);
  });

  it("decides by the environment for a stack about to be synthesized", () => {
    const dir = stackDir({ local: {} });
    expect(
      stackInitArgs(dir, "local", { ...env, FLY_K3S_STATE_BUCKET: "bucket" }, "environment"),
    ).toEqual([]);
    expect(stackInitArgs(path.join(dir, "none"), "local", env, "environment")).toHaveLength(1);
  });

  it("quotes TF_CLI_ARGS_init as OpenTofu splits it, after what it already holds", () => {
    const dir = stackDir({ local: {} });
    const { TF_CLI_ARGS_init } = stackInitEnv(
      "local",
      { ...env, TF_CLI_ARGS_init: "-upgrade" },
      true,
      dir,
    );
    expect(TF_CLI_ARGS_init).toBe(
      `-upgrade '-backend-config=path=/s p/it'"'"'s/local/local/terraform.tfstate'`,
    );
    // Split as a POSIX shell splits it (OpenTofu's go-shellwords does the same).
    const words = spawnSync("/bin/sh", ["-c", `printf '%s\\n' ${TF_CLI_ARGS_init}`], {
      encoding: "utf8",
    }).stdout;
    expect(words).toBe("-upgrade\n-backend-config=path=/s p/it's/local/local/terraform.tfstate\n");
    expect(stackInitEnv("local", env, true, stackDir({ s3: {} }))).toEqual({});
  });
});
