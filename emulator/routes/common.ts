import type { z } from "zod";
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

/** `config.files[0].guest_path` */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const article = (t: string): string => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** Message fragments for zod's issues that a schema did not word itself. */
function fragment(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case "invalid_type":
      return iss.input === undefined ? "is required" : `must be ${article(iss.expected)}`;
    case "too_small":
      if (iss.origin === "array") return `must hold at least ${iss.minimum} item(s)`;
      if (iss.origin === "string") return `must have at least ${iss.minimum} character(s)`;
      return `must be at least ${iss.minimum}`;
    case "too_big":
      if (iss.origin === "array") return `must hold at most ${iss.maximum} item(s)`;
      if (iss.origin === "string") return `must have at most ${iss.maximum} character(s)`;
      return `must be at most ${iss.maximum}`;
    case "invalid_value":
      return `must be one of ${iss.values.map((v) => shown(v)).join(", ")}`;
    case "invalid_format":
      return iss.pattern ? `must match ${iss.pattern}` : `must be a valid ${iss.format}`;
    case "not_multiple_of":
      return `must be a multiple of ${iss.divisor}`;
    case "invalid_union":
      return "has an unexpected type";
    default:
      return undefined;
  }
}

/** One issue as a Fly-style error message naming the field. */
export function issueMessage(iss: z.core.$ZodIssue, root: string): string {
  const path = issuePath(iss.path);
  const primitive = iss.input === null || typeof iss.input !== "object";
  const got =
    iss.input !== undefined && (iss.code !== "custom" || primitive)
      ? ` (got ${shown(iss.input)})`
      : "";
  // A refinement on a whole object words its message itself ("cmd … is required").
  if (!path && iss.code === "custom") return iss.message;
  return `${path || root} ${iss.message}${got}`;
}

/**
 * Validate with a zod schema; the first problem becomes a 400
 * `{"error": "<field> <problem> (got <value>)"}`.
 */
export function parse<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  root: string,
  prefix = "",
): z.output<S> {
  const r = schema.safeParse(raw, { error: fragment, reportInput: true });
  if (r.success) return r.data;
  throw badRequest(prefix + issueMessage(r.error.issues[0], root));
}

/** A JSON body (absent = `{}`). */
export const parseBody = <S extends z.ZodType>(schema: S, raw: unknown): z.output<S> =>
  parse(schema, raw ?? {}, "request body");

/** A query string (invalid_argument, as Fly words it for `wait`). */
export const parseQuery = <S extends z.ZodType>(schema: S, raw: unknown): z.output<S> =>
  parse(schema, raw ?? {}, "query", "invalid_argument: ");
