import type { Apps } from "../apps";
import { badRequest } from "../errors";
import type { Machines } from "../machines";
import type { Volumes } from "../volumes";

export interface Services {
  apps: Apps;
  volumes: Volumes;
  machines: Machines;
}

/** The JSON body as an object; an absent body is `{}`; anything else is a 400. */
export function body(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw))
    throw badRequest("request body must be a JSON object");
  return raw as Record<string, unknown>;
}

export type AppParams = { app: string };
export type MachineParams = { app: string; id: string };
