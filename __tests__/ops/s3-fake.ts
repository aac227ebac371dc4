/**
 * A fake Machines API for the etcd snapshot and S3 credential tests: apps of
 * machines, each with a few files, and an exec that runs the commands those
 * operations send (the credentials' state and write scripts, and `k3s ...`
 * answered by a handler). Every request is recorded with its stdin, so a test
 * can check where a key travelled.
 */
import { createHash } from "crypto";
import { EMULATOR_TEST_IMAGE } from "../../config/naming";
import { S3_CREDENTIALS_FILE, S3_CREDENTIALS_RENDERED_FILE } from "../../contract/node-paths";
import { MachinesApi } from "../../ops/machines-api";
import { CREDENTIALS_STATE_COMMAND, WRITE_CREDENTIALS_COMMAND } from "../../ops/s3-credentials";

export interface S3FakeMachine {
  readonly id: string;
  readonly name: string;
  readonly app: string;
  state?: string;
  image?: string;
  env?: Record<string, string>;
  /** Files on the machine: path -> content. */
  files?: Record<string, string>;
}

export type K3sAnswer = { exit_code: number; stdout?: string; stderr?: string };

/** A server of `app` whose env names a bucket, on the test image unless told. */
export const server = (
  id: string,
  name: string,
  extra: Partial<S3FakeMachine> = {},
): S3FakeMachine => ({
  id,
  name,
  app: "demo-cp",
  image: EMULATOR_TEST_IMAGE,
  env: { K3S_ROLE: "server", K3S_SNAPSHOT_S3_BUCKET: "demo-etcd" },
  files: {},
  ...extra,
});

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const same = (a: readonly string[], b: readonly string[]) => a.join("\0") === b.join("\0");

export function s3Fake(
  machines: S3FakeMachine[],
  k3s: (m: S3FakeMachine, argv: string[]) => K3sAnswer = () => ({
    exit_code: 127,
    stderr: "k3s: not found",
  }),
  opts: { missingApps?: string[]; failExecOn?: string } = {},
) {
  /** Every request: method, path, and for an exec its argv and stdin. */
  const requests: {
    method: string;
    path: string;
    command?: string[];
    stdin?: string;
    timeout?: number;
  }[] = [];
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
  const wire = (m: S3FakeMachine) => ({
    id: m.id,
    name: m.name,
    state: m.state ?? "started",
    region: "sjc",
    instance_id: "i1",
    private_ip: "fdaa::2",
    config: { image: m.image ?? EMULATOR_TEST_IMAGE, env: m.env ?? {} },
  });
  const exec = (m: S3FakeMachine, command: string[], stdin?: string): K3sAnswer => {
    const files = (m.files ??= {});
    if (opts.failExecOn === m.name) return { exit_code: 1, stderr: "sh: cannot exec" };
    if (same(command, CREDENTIALS_STATE_COMMAND)) {
      const file = files[S3_CREDENTIALS_FILE];
      const rendered = files[S3_CREDENTIALS_RENDERED_FILE]?.trim();
      return {
        exit_code: 0,
        stdout: `file ${file === undefined ? "none" : sha(file)}\nrendered ${rendered ?? "none"}\n`,
      };
    }
    if (same(command, WRITE_CREDENTIALS_COMMAND)) {
      files[S3_CREDENTIALS_FILE] = stdin ?? "";
      return { exit_code: 0 };
    }
    if (command[0] === "k3s") return k3s(m, command);
    return { exit_code: 127, stderr: `${command[0]}: not found` };
  };
  const fn = (async (url: string, init: RequestInit) => {
    const p = new URL(url).pathname.replace(/^\/v1/, "");
    const method = init.method ?? "GET";
    const body = init.body
      ? (JSON.parse(init.body as string) as {
          command?: string[];
          stdin?: string;
          timeout?: number;
        })
      : {};
    requests.push({
      method,
      path: p,
      command: body.command,
      stdin: body.stdin,
      timeout: body.timeout,
    });
    const list = /^\/apps\/([^/]+)\/machines$/.exec(p);
    if (list) {
      if (opts.missingApps?.includes(list[1])) return json({ error: "app not found" }, 404);
      return json(machines.filter((m) => m.app === list[1]).map(wire));
    }
    const one = /^\/apps\/([^/]+)\/machines\/([^/]+)(\/exec)?$/.exec(p);
    const m = one && machines.find((x) => x.app === one[1] && x.id === one[2]);
    if (!one || !m) return json({ error: "not found" }, 404);
    if (one[3]) {
      const a = exec(m, body.command ?? [], body.stdin);
      return json({ stdout: "", stderr: "", ...a });
    }
    return json(wire(m));
  }) as unknown as typeof fetch;
  const api = new MachinesApi({
    baseUrl: "http://fake/v1",
    token: "t",
    fetch: fn,
    attempts: 1,
    retryDelayMs: 1,
  });
  const execs = () =>
    requests
      .filter((r) => r.command !== undefined)
      .map((r) => `${r.path.split("/")[4]} ${(r.command ?? []).join(" ")}`);
  return { api, requests, execs };
}
