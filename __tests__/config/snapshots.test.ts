/**
 * The etcd snapshot keys (config/snapshots.ts) through the config validation:
 * defaults resolved once, exact `file:line: KEY: ...` messages, and the
 * servers' K3S_SNAPSHOT_* environment they become.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { validateConfigText } from "../../config/load";
import { OPTIONAL_KEYS } from "../../config/schema";
import {
  cronProblem,
  snapshotDestination,
  snapshotNodeEnv,
  DEFAULT_SNAPSHOT_SCHEDULE,
} from "../../config/snapshots";
import { NODE_ENV_VARS } from "../../contract/node-env";

const EXAMPLE = fs.readFileSync(path.join(__dirname, "../../clusters/fly-k3s-poc/config"), "utf8");
const FILE = "clusters/fly-k3s-poc/config";
/** The line the first added key lands on. */
const LINE = EXAMPLE.split("\n").length + 1;

const withLines = (...lines: string[]) => `${EXAMPLE}\n${lines.join("\n")}\n`;

function messages(text: string): string[] {
  try {
    validateConfigText(FILE, text);
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split("\n");
    throw e;
  }
  return [];
}

describe("etcd snapshot keys", () => {
  it("defaults to k3s's schedule and retention, and no S3", () => {
    expect(validateConfigText(FILE, EXAMPLE).snapshots).toEqual({
      scheduleCron: "0 */12 * * *",
      retention: 5,
    });
  });

  it("resolves an S3 target to Tigris on Fly, folder the cluster name", () => {
    const c = validateConfigText(FILE, withLines("SNAPSHOT_S3_BUCKET=poc-etcd"));
    expect(c.snapshots.s3).toEqual({
      bucket: "poc-etcd",
      endpoint: "fly.storage.tigris.dev",
      region: "auto",
      folder: "fly-k3s-poc",
      insecure: false,
    });
    expect(snapshotDestination(c.snapshots)).toBe(
      "on the bootstrap server's volume and in s3://poc-etcd/fly-k3s-poc (https://fly.storage.tigris.dev)",
    );
  });

  it("takes every key as written", () => {
    const c = validateConfigText(
      FILE,
      withLines(
        'SNAPSHOT_SCHEDULE="30 */6 * * MON-FRI"',
        "SNAPSHOT_RETENTION=14",
        "SNAPSHOT_S3_BUCKET=backups.example",
        "SNAPSHOT_S3_ENDPOINT=127.0.0.1:9000",
        "SNAPSHOT_S3_REGION=us-east-1",
        "SNAPSHOT_S3_FOLDER=etcd/poc",
        "SNAPSHOT_S3_INSECURE=true",
      ),
    );
    expect(c.snapshots).toEqual({
      scheduleCron: "30 */6 * * MON-FRI",
      retention: 14,
      s3: {
        bucket: "backups.example",
        endpoint: "127.0.0.1:9000",
        region: "us-east-1",
        folder: "etcd/poc",
        insecure: true,
      },
    });
    expect(snapshotNodeEnv(c.snapshots)).toEqual({
      K3S_SNAPSHOT_SCHEDULE: "30 */6 * * MON-FRI",
      K3S_SNAPSHOT_RETENTION: "14",
      K3S_SNAPSHOT_S3_BUCKET: "backups.example",
      K3S_SNAPSHOT_S3_ENDPOINT: "127.0.0.1:9000",
      K3S_SNAPSHOT_S3_REGION: "us-east-1",
      K3S_SNAPSHOT_S3_FOLDER: "etcd/poc",
      K3S_SNAPSHOT_S3_INSECURE: "true",
    });
  });

  it("gives servers with k3s's defaults and no bucket no variable, and names only variables of the node's table", () => {
    const env = snapshotNodeEnv(validateConfigText(FILE, EXAMPLE).snapshots);
    expect(env).toEqual({});
    const all = snapshotNodeEnv(
      validateConfigText(FILE, withLines("SNAPSHOT_S3_BUCKET=poc-etcd")).snapshots,
    );
    for (const name of Object.keys(all)) expect(NODE_ENV_VARS).toHaveProperty(name);
  });

  it("documents each default in the config reference", () => {
    expect(OPTIONAL_KEYS).toMatchObject({
      SNAPSHOT_SCHEDULE: { default: DEFAULT_SNAPSHOT_SCHEDULE },
      SNAPSHOT_RETENTION: { default: "5" },
      SNAPSHOT_S3_BUCKET: { default: "none" },
      SNAPSHOT_S3_ENDPOINT: { default: "fly.storage.tigris.dev" },
      SNAPSHOT_S3_REGION: { default: "auto" },
      SNAPSHOT_S3_FOLDER: { default: "<CLUSTER_NAME>" },
      SNAPSHOT_S3_INSECURE: { default: "false" },
    });
  });

  it.each([
    [
      'SNAPSHOT_SCHEDULE="every 12 hours"',
      'SNAPSHOT_SCHEDULE: must be a cron schedule of 5 fields (minute hour day-of-month month day-of-week), such as "0 */12 * * *" (every 12 hours) or "@daily" (got "every 12 hours")',
    ],
    [
      'SNAPSHOT_SCHEDULE="0 24 * * *"',
      'SNAPSHOT_SCHEDULE: hour 24 is out of range 0-23 (got "0 24 * * *")',
    ],
    ["SNAPSHOT_RETENTION=0", 'SNAPSHOT_RETENTION: must be a whole number from 1 to 1000 (got "0")'],
    [
      "SNAPSHOT_S3_BUCKET=My_Bucket",
      "SNAPSHOT_S3_BUCKET: must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and dashes, starting and ending with a letter or digit",
    ],
  ])("refuses %s on its line", (line, message) => {
    expect(messages(withLines(line))).toEqual([`${FILE}:${LINE}: ${message}`]);
  });

  it("says how to write an endpoint given as a URL", () => {
    expect(
      messages(
        withLines("SNAPSHOT_S3_BUCKET=poc-etcd", "SNAPSHOT_S3_ENDPOINT=http://127.0.0.1:9000/"),
      ),
    ).toEqual([
      `${FILE}:${LINE + 1}: SNAPSHOT_S3_ENDPOINT: must be a host or host:port without a scheme, as k3s's etcd-s3-endpoint takes it (got "http://127.0.0.1:9000/"); write SNAPSHOT_S3_ENDPOINT="127.0.0.1:9000" and SNAPSHOT_S3_INSECURE=true`,
    ]);
  });

  it("refuses an S3 detail without a bucket, on the detail's line", () => {
    expect(messages(withLines("SNAPSHOT_S3_REGION=auto", "SNAPSHOT_S3_FOLDER=x"))).toEqual([
      `${FILE}:${LINE}: SNAPSHOT_S3_REGION: has no effect without SNAPSHOT_S3_BUCKET (snapshots stay on the servers' volumes); set SNAPSHOT_S3_BUCKET="<bucket>" or remove this line`,
      `${FILE}:${LINE + 1}: SNAPSHOT_S3_FOLDER: has no effect without SNAPSHOT_S3_BUCKET (snapshots stay on the servers' volumes); set SNAPSHOT_S3_BUCKET="<bucket>" or remove this line`,
    ]);
  });

  it("has no key for the S3 credentials: they come from the environment at deploy time", () => {
    expect(messages(withLines("SNAPSHOT_S3_SECRET_ACCESS_KEY=x"))).toEqual([
      `${FILE}:${LINE}: SNAPSHOT_S3_SECRET_ACCESS_KEY: unknown key`,
    ]);
  });
});

describe("cronProblem (robfig/cron's standard parser, which k3s uses)", () => {
  it.each([
    "0 */12 * * *",
    "*/5 * * * *",
    "0 3 * * SUN",
    "0 0 1 jan,jul ?",
    "15 2-4 1-15/2 * 1-5",
    "@daily",
    "@every 6h30m",
  ])("accepts %s", (spec) => {
    expect(cronProblem(spec)).toBeUndefined();
  });

  it.each([
    ["* * * *", /must be a cron schedule of 5 fields/],
    ["60 * * * *", /^minute 60 is out of range 0-59/],
    ["0 0 0 * *", /^day of month 0 is out of range 1-31/],
    ["0 0 * 13 *", /^month 13 is out of range 1-12/],
    ["0 0 * * 7", /^day of week 7 is out of range 0-6/],
    ["0 0 * * FUN", /^"FUN" is not a valid day of week field/],
    ["*/0 * * * *", /^"\*\/0" is not a valid minute field/],
    ["@fortnightly", /must be a cron schedule of 5 fields/],
  ])("refuses %s", (spec, message) => {
    expect(cronProblem(spec)).toMatch(message);
  });
});
