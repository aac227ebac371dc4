/**
 * A destroy of one synthesized stack with OpenTofu, beside the deploy
 * (ops/deploy.ts) and routed around the same Fly behaviour:
 *
 * 1. adopt what an interrupted run left on Fly outside the state, and remove
 *    what it created twice (ops/adopt.ts), so that it goes too;
 * 2. destroy; Fly answers a machine's DELETE while the machine is still
 *    `destroying`, so the provider's delete of its volume can meet 412
 *    (volume attached): then wait until Fly has destroyed the stack's
 *    machines (and any lease a killed run left has expired) and destroy
 *    again, a bounded number of rounds.
 */
import { setTimeout } from "node:timers/promises";
import { ShowState } from "../contract/tofu-state";
import { adopt, waitDestroyed } from "./adopt";
import { Declared } from "./declared";
import { TofuResult, TofuRun, waitForLeases } from "./deploy";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";

export interface DestroyOptions {
  /** The stack's declared apps, machines and volumes. */
  readonly declared: Declared;
  readonly api: MachinesApi;
  readonly log: Log;
  /** Destroy rounds in all. @default 4 */
  readonly rounds?: number;
  /** Injected for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Destroys everything in the state the runner points at (see the module comment). */
export async function destroy(run: TofuRun, opts: DestroyOptions): Promise<TofuResult> {
  const { declared, api, log } = opts;
  const rounds = opts.rounds ?? 4;
  const sleep = opts.sleep ?? ((ms: number) => setTimeout(ms));
  const show = await run(["show", "-json", "-no-color"]);
  // No state yet (or an unreadable one): nothing to compare with, nothing to adopt.
  if (show.status === 0 && show.stdout.trim()) {
    await adopt({ tofu: run, api, log }, declared, JSON.parse(show.stdout) as ShowState);
  }
  let r: TofuResult = { status: 1, stdout: "", stderr: "" };
  for (let round = 1; round <= rounds; round++) {
    r = await run(["destroy", "-input=false", "-auto-approve", "-no-color"]);
    if (r.status === 0 || round === rounds) break;
    const dying = await machinesDestroying(api, declared);
    log(
      `destroy stopped (exit ${r.status}); waiting for Fly to finish destroying ` +
        `${dying.length} machine(s), then destroying again (round ${round + 1} of ${rounds})`,
    );
    await waitDestroyed(api, dying, log);
    await waitForLeases(r.stdout + r.stderr, log, sleep);
    // Nothing to wait for on Fly: give it a moment longer each round.
    if (dying.length === 0) await sleep(2000 * round);
  }
  return r;
}

/** The stack's machines Fly is still destroying (an app it cannot list counts as none). */
async function machinesDestroying(
  api: MachinesApi,
  declared: Declared,
): Promise<{ app: string; id: string }[]> {
  const apps = [...new Set(declared.machines.map((m) => m.app))];
  const dying: { app: string; id: string }[] = [];
  for (const app of apps) {
    const machines = await api.listMachines(app).catch(() => []);
    for (const m of machines) if (m.state === "destroying") dying.push({ app, id: m.id });
  }
  return dying;
}
