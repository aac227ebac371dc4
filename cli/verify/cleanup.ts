/**
 * Leaving nothing behind: the verify namespace is removed at the end of every
 * run that applied anything, after a failure, and after Ctrl-C (the first
 * SIGINT or SIGTERM stops the checks and removes it; a second one leaves at
 * once, saying what is left).
 */
import { DELETE_NAMESPACE } from "./commands";
import { Exec } from "./exec";
import { VERIFY_NAMESPACE } from "./manifests";
import { said } from "./parse";

/** Asks the API server to remove the namespace; says so when it could not. Never throws. */
export async function removeNamespace(exec: Exec, log: (line: string) => void): Promise<boolean> {
  try {
    const a = await exec(DELETE_NAMESPACE, { timeoutSec: 30 });
    if (a.answered && a.exitCode === 0) {
      log(`namespace ${VERIFY_NAMESPACE} removed`);
      return true;
    }
    log(
      `could not remove namespace ${VERIFY_NAMESPACE} (${said(a)}); remove it with: ` +
        `k3s kubectl delete namespace ${VERIFY_NAMESPACE}`,
    );
  } catch (e) {
    log(`could not remove namespace ${VERIFY_NAMESPACE}: ${(e as Error).message}`);
  }
  return false;
}

/** Where signals come from (the process; tests pass their own). */
export interface SignalSource {
  on(event: "SIGINT" | "SIGTERM", fn: () => void): unknown;
  off(event: "SIGINT" | "SIGTERM", fn: () => void): unknown;
}

/**
 * Aborts `controller` at the first SIGINT or SIGTERM, so that the run stops
 * and its `finally` removes the namespace; at the second, calls `leave`.
 * Returns the function that uninstalls the handlers.
 */
export function abortOnSignals(
  controller: AbortController,
  log: (line: string) => void,
  leave: () => void,
  source: SignalSource = process,
): () => void {
  let seen = 0;
  const handler = () => {
    seen += 1;
    if (seen === 1) {
      log(
        `interrupted: removing namespace ${VERIFY_NAMESPACE} (interrupt again to leave it; ` +
          `then: k3s kubectl delete namespace ${VERIFY_NAMESPACE})`,
      );
      controller.abort();
    } else leave();
  };
  source.on("SIGINT", handler);
  source.on("SIGTERM", handler);
  return () => {
    source.off("SIGINT", handler);
    source.off("SIGTERM", handler);
  };
}
