/**
 * Applying the verify objects, and waiting on them in rounds short enough
 * for one exec each.
 */
import * as cmd from "./commands";
import { Exec, execOn } from "./exec";
import { VERIFY_NAMESPACE, toYaml } from "./manifests";
import { Answer, said } from "./parse";
import { ClusterMachine, Ctx } from "./run-context";

/**
 * Removes what an earlier run left, then applies `objects`; from then on the
 * run's end removes the namespace. Returns why it could not, if it could not.
 */
export async function apply(
  ctx: Ctx,
  ask: Exec,
  asker: ClusterMachine,
  objects: readonly Record<string, unknown>[],
): Promise<string | undefined> {
  const pre = await waitFor(ctx, ask, cmd.kubectlDeleteNamespaceAndWait);
  if (!pre.answered || pre.exitCode !== 0)
    return `could not remove the namespace ${VERIFY_NAMESPACE} an earlier run left: ${said(pre)}`;
  // The cleanup must run after an interrupt too: it gets a signal of its own.
  ctx.cleanup = execOn(ctx.opts.api, asker.facts.app, asker.machine, new AbortController().signal);
  ctx.opts.log(`applying ${objects.length} objects in namespace ${VERIFY_NAMESPACE}`);
  const applied = await ask(cmd.APPLY, { stdin: toYaml(objects) });
  return !applied.answered || applied.exitCode !== 0
    ? `the verify objects were refused: ${said(applied)}`
    : undefined;
}

/**
 * One exec answers within a minute here (Fly's own limit on an exec is not
 * documented), so a longer wait is a kubectl wait of at most ROUND_SEC,
 * asked again while it ran its full round without success, until the run's
 * wait (waitSec) is spent. A quick failure is final: nothing is repeated that
 * did not wait.
 */
export const ROUND_SEC = 50;

/**
 * Runs `command` with a kubectl timeout of at most ROUND_SEC until it
 * succeeds, fails quickly, or the run's wait is spent.
 */
export async function waitFor(
  ctx: Ctx,
  ask: Exec,
  command: (timeoutSec: number) => string[],
): Promise<Answer> {
  const deadline = Date.now() + ctx.waitSec * 1000;
  for (;;) {
    const sec = Math.max(1, Math.min(ROUND_SEC, Math.ceil((deadline - Date.now()) / 1000)));
    const began = Date.now();
    const a = await ask(command(sec), { timeoutSec: sec + 10 });
    const waited = Date.now() - began >= sec * 1000;
    if ((a.answered && a.exitCode === 0) || !waited || Date.now() >= deadline) return a;
  }
}
