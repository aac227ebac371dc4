/**
 * Machines that came back from Fly with another 6PN address, and what each
 * means for its node: the deploy (ops/deploy.ts) and the drift check
 * (cli/stack.ts) say so. Pure.
 */
import { ShowState, stateResources } from "../contract/tofu-state";

/** A machine that came back from Fly with another 6PN address. */
export interface AddressChange {
  readonly address: string;
  readonly machine: string;
  readonly app: string;
  readonly from: string;
  readonly to: string;
  /** What it means for the node and what the operator must do. */
  readonly advice: string;
}

/** Machines whose `private_ip` differs between two states of the same stack. Pure. */
export function addressChanges(before: ShowState, after: ShowState): AddressChange[] {
  const old = new Map(
    stateResources(before)
      .filter((r) => r.type === "fly_machine")
      .map((r) => [r.values.id as string, r.values.private_ip as string | undefined]),
  );
  return stateResources(after)
    .filter((r) => r.type === "fly_machine")
    .flatMap((r) => {
      const from = old.get(r.values.id as string);
      const to = r.values.private_ip as string | undefined;
      if (!from || !to || from === to) return [];
      const name = r.values.name as string;
      const server = (r.values.env as Record<string, string> | null)?.K3S_ROLE === "server";
      const advice = server
        ? `k3s uses the 6PN address as the node IP, and etcd still lists ${name} at ${from}: ` +
          `the deploy cannot repair etcd membership. The node refuses to start until its member ` +
          `is updated: run the \`etcdctl member update\` its log prints (images/k3s-node/renumber.sh) ` +
          `against a healthy server; with no healthy server, restore with --cluster-reset`
        : `an agent registers again with its new address when it starts; nothing to do`;
      return [{ address: r.address, machine: name, app: r.values.app as string, from, to, advice }];
    });
}

/** The line a deploy or drift check prints for an address change. Pure. */
export function addressChangeLine(c: AddressChange): string {
  return `machine ${c.machine} of ${c.app} has a new 6PN address: private_ip: ${c.from} -> ${c.to}; ${c.advice}`;
}
