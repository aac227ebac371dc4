/**
 * Which verb runs each action of ./k3s.sh (the actions are cli/options.ts's
 * flag table). A new verb is one file here and one row below; TypeScript
 * refuses an action without a row.
 */
import { Action } from "../options";
import { add } from "./add";
import { Verb } from "./context";
import { create } from "./create";
import { destroy } from "./destroy";
import { drift } from "./drift";
import { kubeconfig } from "./kubeconfig";
import { plan } from "./plan";
import { probe } from "./probe";
import { shell } from "./shell";
import { status } from "./status";
import { taint } from "./taint";
import { verify } from "./verify";

export const VERBS: Readonly<Record<Action, Verb>> = {
  create,
  add,
  kubeconfig,
  taint,
  list: status,
  shell,
  plan,
  destroy,
  drift,
  status,
  probe,
  verify,
};
