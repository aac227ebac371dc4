/**
 * A local S3-compatible server for the remote state (config/state.ts):
 * versitygw, built by `npm run setup` from its Go module at the version pinned
 * in scripts/toolchain.env, serving a posix directory in a fresh temporary
 * directory on 127.0.0.1:<free port>, with throwaway credentials and one
 * bucket. The tests start it; run this file to start one in the foreground
 * and print the environment that points a deploy's state at it:
 *
 *   npx ts-node --transpile-only __tests__/support/s3-server.ts
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { setTimeout as sleep } from "node:timers/promises";
import { inCache, toolchainVar } from "../../cli/toolchain";

/** The versitygw binary `npm run setup` builds. Throws, saying what to run, when it is missing. */
export function versitygwBinary(env: NodeJS.ProcessEnv = process.env): string {
  const version = toolchainVar("VERSITYGW_VERSION");
  const bin = inCache("VERSITYGW_BIN", env);
  if (!fs.existsSync(bin)) {
    throw new Error(
      `the S3 server versitygw ${version} is not built yet (no ${bin}): run npm run setup`,
    );
  }
  return bin;
}

export interface S3Server {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /**
   * What points a deploy's state at this server: FLY_K3S_STATE_BUCKET,
   * FLY_K3S_STATE_ENDPOINT, FLY_K3S_STATE_REGION and the credentials
   * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
   */
  readonly env: Record<string, string>;
  /** An object's content, read through the S3 API; undefined when there is none. */
  getObject(key: string): Promise<string | undefined>;
  /** Keys under a prefix, read through the S3 API. */
  listKeys(prefix?: string): Promise<string[]>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

const sha256 = (data: string) => crypto.createHash("sha256").update(data).digest("hex");
const hmac = (key: crypto.BinaryLike, data: string) =>
  crypto.createHmac("sha256", key).update(data).digest();
const encode = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** One AWS Signature Version 4 request without a body (path-style). */
export async function s3Request(
  endpoint: string,
  creds: Credentials,
  method: "GET" | "PUT",
  objectPath: string,
  query: Record<string, string> = {},
  now: Date = new Date(),
): Promise<Response> {
  const url = new URL(endpoint);
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const day = amzDate.slice(0, 8);
  const payload = sha256("");
  const canonicalPath = objectPath.split("/").map(encode).join("/");
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${encode(k)}=${encode(query[k])}`)
    .join("&");
  const headers: Record<string, string> = {
    host: url.host,
    "x-amz-content-sha256": payload,
    "x-amz-date": amzDate,
  };
  const signed = Object.keys(headers).sort();
  const canonical = [
    method,
    canonicalPath,
    canonicalQuery,
    ...signed.map((h) => `${h}:${headers[h]}`),
    "",
    signed.join(";"),
    payload,
  ].join("\n");
  const scope = `${day}/${creds.region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  let key: Buffer = hmac(`AWS4${creds.secretAccessKey}`, day);
  for (const part of [creds.region, "s3", "aws4_request"]) key = hmac(key, part);
  const signature = crypto.createHmac("sha256", key).update(toSign).digest("hex");
  const auth = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
  return fetch(`${url.origin}${canonicalPath}${canonicalQuery ? `?${canonicalQuery}` : ""}`, {
    method,
    headers: {
      "x-amz-content-sha256": payload,
      "x-amz-date": amzDate,
      authorization: auth,
    },
  });
}

/** Starts versitygw with a posix backend in a temporary directory and creates the bucket. */
export async function startS3Server(
  opts: { bucket?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<S3Server> {
  const bin = versitygwBinary(opts.env);
  const bucket = opts.bucket ?? "fly-k3s-state";
  const region = "us-east-1";
  const creds: Credentials = {
    accessKeyId: "flyk3slocal",
    secretAccessKey: crypto.randomBytes(20).toString("hex"),
    region,
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-s3-"));
  const data = path.join(dir, "data");
  fs.mkdirSync(data);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const logFile = path.join(dir, "versitygw.log");
  const out = fs.openSync(logFile, "w", 0o600);
  const child: ChildProcess = spawn(
    bin,
    ["--port", `127.0.0.1:${port}`, "--region", region, "--quiet", "posix", data],
    {
      stdio: ["ignore", out, out],
      // The root credentials travel in the environment, not on the command line.
      env: {
        ...process.env,
        ROOT_ACCESS_KEY_ID: creds.accessKeyId,
        ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey,
      },
    },
  );
  fs.closeSync(out);
  let exited: number | null | undefined;
  const gone = new Promise<void>((resolve) =>
    child.on("exit", (code) => {
      exited = code;
      resolve();
    }),
  );
  const stop = async () => {
    if (exited === undefined) {
      child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (exited === undefined) child.kill("SIGKILL");
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const fail = async (why: string): Promise<never> => {
    const log = fs.readFileSync(logFile, "utf8").trim();
    await stop();
    throw new Error(`versitygw at ${endpoint} ${why}${log ? `; its log:\n${log}` : ""}`);
  };

  for (let i = 0; ; i++) {
    if (exited !== undefined) await fail(`exited with ${exited}`);
    try {
      await fetch(endpoint);
      break;
    } catch {
      if (i >= 100) await fail("did not answer within 10 s");
      await sleep(100);
    }
  }
  const made = await s3Request(endpoint, creds, "PUT", `/${bucket}`);
  if (!made.ok)
    await fail(`refused to create bucket ${bucket}: ${made.status} ${await made.text()}`);

  return {
    endpoint,
    bucket,
    region,
    env: {
      FLY_K3S_STATE_BUCKET: bucket,
      FLY_K3S_STATE_ENDPOINT: endpoint,
      FLY_K3S_STATE_REGION: region,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    },
    async getObject(key) {
      const r = await s3Request(endpoint, creds, "GET", `/${bucket}/${key}`);
      if (r.status === 404) return undefined;
      if (!r.ok) throw new Error(`GET s3://${bucket}/${key}: ${r.status} ${await r.text()}`);
      return r.text();
    },
    async listKeys(prefix = "") {
      const r = await s3Request(endpoint, creds, "GET", `/${bucket}`, {
        "list-type": "2",
        prefix,
      });
      const body = await r.text();
      if (!r.ok) throw new Error(`list s3://${bucket}/${prefix}: ${r.status} ${body}`);
      return [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]).sort();
    },
    stop,
  };
}

if (require.main === module) {
  startS3Server().then(
    (s3) => {
      console.log("# a local S3 server for remote state; Ctrl-C stops it and removes its data");
      for (const [k, v] of Object.entries(s3.env)) console.log(`export ${k}=${v}`);
      const done = () => void s3.stop().then(() => process.exit(0));
      process.on("SIGINT", done);
      process.on("SIGTERM", done);
    },
    (e: Error) => {
      console.error(`error: ${e.message}`);
      process.exitCode = 1;
    },
  );
}
