/**
 * One command on one machine through the Machines API's exec endpoint,
 * bounded in time: the machine is told the step's timeout, and this side
 * stops waiting a little after it, or at once when the run is interrupted. A
 * failed request is an answer too ("could not ask"), never a throw. Retries
 * stay in the API client (ops/machines-api.ts); nothing here repeats a call.
 */
import { Machine } from "../../contract/machines-api-types";
import { MachinesApi } from "../../ops/machines-api";
import { Answer } from "./parse";

/** What `--verify` needs of the Machines API. */
export type VerifyApi = Pick<MachinesApi, "listMachines" | "exec">;

export interface ExecOptions {
  readonly stdin?: string;
  /** The step's limit, told to the machine (Fly's exec `timeout`); default 30. */
  readonly timeoutSec?: number;
}

/** Runs a command on a machine chosen when the function was made. */
export type Exec = (command: readonly string[], opts?: ExecOptions) => Promise<Answer>;

/** Seconds this side waits beyond the machine's own limit before it gives up. */
const GRACE_SEC = 15;

export class Interrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "Interrupted";
  }
}

/** An Exec on machine `m` of `app`; aborting `signal` makes every pending call throw Interrupted. */
export function execOn(api: VerifyApi, app: string, m: Machine, signal: AbortSignal): Exec {
  return async (command, opts = {}) => {
    if (signal.aborted) throw new Interrupted();
    const timeoutSec = opts.timeoutSec ?? 30;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const call = api
      .exec(app, m.id, command, {
        timeoutSec,
        ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
      })
      .then(
        (r): Answer => ({
          answered: true,
          exitCode: r.exit_code,
          stdout: r.stdout,
          stderr: r.stderr,
        }),
        (e: Error): Answer => ({ answered: false, why: `${app}/${m.name}: ${e.message}` }),
      );
    const late = new Promise<Answer>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            answered: false,
            why: `${app}/${m.name}: no answer within ${timeoutSec + GRACE_SEC}s`,
          }),
        (timeoutSec + GRACE_SEC) * 1000,
      );
    });
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Interrupted());
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([call, late, stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener("abort", onAbort);
    }
  };
}
