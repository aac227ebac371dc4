/**
 * Which verb runs each action of ./k3s.sh (the actions are cli/options.ts's
 * flag table), and what it needs, checked by runVerb (context.ts) before
 * anything starts: OpenTofu (the toolchain, before the local Fly is started),
 * and k3s on the nodes (a node image without it is said so, in the words -c
 * uses). A new verb is one file here and one row below; TypeScript refuses an
 * action without a row.
 */
import { Action } from "../options";
import { add } from "./add";
import { VerbSpec } from "./context";
import { create } from "./create";
import { destroy } from "./destroy";
import { drift } from "./drift";
import { kubeconfig } from "./kubeconfig";
import { plan } from "./plan";
import { probe } from "./probe";
import { remove } from "./remove";
import { restore } from "./restore";
import { shell } from "./shell";
import { snapshot } from "./snapshot";
import { snapshots } from "./snapshots";
import { status } from "./status";
import { taint } from "./taint";
import { verify } from "./verify";

export const VERBS: Readonly<Record<Action, VerbSpec>> = {
  create: { run: create, tofu: true },
  add: { run: add, tofu: true },
  kubeconfig: {
    run: kubeconfig,
    tofu: false,
    k3s: {
      refuse: true,
      consequence:
        "there is no kubeconfig to write (k3s writes it on the servers); nothing was done",
    },
  },
  taint: {
    run: taint,
    tofu: false,
    k3s: { refuse: true, consequence: "there is no control plane to taint; nothing was done" },
  },
  list: { run: status, tofu: false },
  shell: {
    run: shell,
    tofu: false,
    k3s: {
      refuse: false,
      consequence: "the shell opens on a machine where neither k3s nor kubectl runs",
    },
  },
  plan: { run: plan, tofu: true },
  destroy: { run: destroy, tofu: true },
  drift: { run: drift, tofu: true },
  status: { run: status, tofu: false },
  probe: { run: probe, tofu: false },
  verify: { run: verify, tofu: false },
  snapshot: {
    run: snapshot,
    tofu: false,
    k3s: { refuse: true, consequence: "there is no etcd to snapshot; nothing was done" },
  },
  snapshots: {
    run: snapshots,
    tofu: false,
    k3s: { refuse: true, consequence: "there is no etcd, so there are no snapshots to list" },
  },
  restore: { run: restore, tofu: false },
  remove: { run: remove, tofu: true },
};
