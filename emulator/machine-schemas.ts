/**
 * zod schemas for the machine routes' bodies and query strings. Objects are
 * loose: fields the emulator does not model (services, checks, …) pass
 * through and are echoed back. Messages are fragments after the field's
 * path ("config.guest.cpus must be …"); see routes/common.ts.
 */
import { z } from "zod";
import { WAITABLE_STATES } from "../contract/fly-states";
import type { MachineConfig } from "./types";

const strings = z.array(z.string(), { error: "must be an array of strings" });
const stringMap = z.record(z.string(), z.string(), { error: "must be an object of strings" });
const object = { error: "must be an object" };

/** A decimal integer in a query string. */
export function intString(min: number, max: number, what = "an integer") {
  const msg = `must be ${what} from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, msg)
    .transform(Number)
    .pipe(z.number().min(min, msg).max(max, msg));
}

/** "true" or "false" in a query string. */
const flag = z.enum(["true", "false"]).optional();

export const machineConfigSchema = z
  .looseObject(
    {
      image: z
        .string({ error: (i) => (i.input === undefined ? "is required" : "must be a string") })
        .min(1, "is required"),
      env: stringMap.nullish(),
      metadata: stringMap.nullish(),
      init: z
        .looseObject(
          { exec: strings.nullish(), entrypoint: strings.nullish(), cmd: strings.nullish() },
          object,
        )
        .nullish(),
      guest: z
        .looseObject(
          {
            cpu_kind: z.string().optional(),
            cpus: z
              .int("must be a positive integer")
              .min(1, "must be a positive integer")
              .optional(),
            memory_mb: z
              .int("must be a multiple of 256, at least 256")
              .min(256, "must be a multiple of 256, at least 256")
              .multipleOf(256, "must be a multiple of 256, at least 256")
              .optional(),
          },
          object,
        )
        .nullish(),
      files: z
        .array(
          z
            .looseObject(
              {
                guest_path: z
                  .string({ error: "must be an absolute path" })
                  .startsWith("/", "must be an absolute path"),
                raw_value: z.string().optional(),
                secret_name: z.string().optional(),
                mode: z.int().min(0).max(0o7777).optional(),
              },
              object,
            )
            .refine((f) => f.raw_value !== undefined || f.secret_name !== undefined, {
              error: "needs raw_value (base64) or secret_name",
            }),
          { error: "must be an array" },
        )
        .nullish(),
      mounts: z
        .array(
          z.looseObject(
            { volume: z.string(), path: z.string() },
            { error: "needs volume and path" },
          ),
          { error: "must be an array" },
        )
        .max(1, "can hold at most one volume: a machine mounts at most one")
        .nullish(),
      restart: z
        .looseObject(
          {
            policy: z.enum(["", "no", "always", "on-failure"]).optional(),
            max_retries: z.int().min(0).optional(),
          },
          object,
        )
        .nullish(),
      stop_config: z
        .looseObject(
          { signal: z.string().optional(), timeout: z.union([z.string(), z.number()]).optional() },
          object,
        )
        .nullish(),
      auto_destroy: z.boolean().nullish(),
    },
    { error: (i) => (i.input === undefined ? "is required" : "must be an object") },
  )
  // JSON in, validated: the stored config is exactly what the client sent.
  .transform((c) => c as MachineConfig);

/** POST /apps/{app}/machines; `regions` are the ones the emulator accepts. */
export const machineCreateSchema = (regions: readonly string[]) =>
  z.looseObject({
    name: z
      .string()
      .regex(
        /^[a-zA-Z0-9-_.]{0,63}$/,
        "must be up to 63 letters, digits, dashes, dots and underscores",
      )
      .optional(),
    region: z
      .string()
      .refine((r) => regions.includes(r), { error: `must be one of ${regions.join(", ")}` })
      .default("iad"),
    config: machineConfigSchema,
    skip_launch: z.boolean().optional(),
  });

/** POST /apps/{app}/machines/{id} */
export const machineUpdateSchema = z.looseObject({
  region: z.string().optional(),
  config: machineConfigSchema,
  skip_launch: z.boolean().optional(),
});

/**
 * POST …/exec (MachineExecRequest in Fly's OpenAPI): `command`, the argv;
 * `cmd`, a string Fly marks "Deprecated: use command instead" and still
 * accepts (flyctl sends it). How Fly splits `cmd` is UNCONFIRMED
 * (shellwords.ts).
 */
export const execSchema = z
  .looseObject({
    cmd: z.string().optional(),
    command: strings.min(1, "is empty").optional(),
    stdin: z.string().optional(),
    timeout: z.number().positive("must be a positive number of seconds").optional(),
  })
  .refine((b) => b.cmd !== undefined || b.command !== undefined, {
    error: "cmd (string) or command (array) is required",
  });

/** POST …/lease: body `{ttl, description}` (the provider) or `?ttl=` (fly-go). */
export const leaseBodySchema = z.looseObject({
  ttl: z.int().min(1).max(3600).optional(),
  description: z.string().optional(),
});
export const leaseQuerySchema = z.looseObject({
  ttl: intString(1, 3600, "an integer number of seconds").optional(),
});

/** POST …/metadata/{key} */
export const metadataSchema = z.looseObject({ value: z.string() });

/** GET …/wait */
export const waitQuerySchema = z.looseObject({
  state: z.enum(WAITABLE_STATES).default("started"),
  timeout: intString(1, 60, "an integer number of seconds").default(60),
  instance_id: z.string().optional(),
});

/** DELETE …/{id} */
export const deleteQuerySchema = z.looseObject({ force: flag });

/** GET /apps/{app}/machines */
export const listQuerySchema = z.looseObject({ include_deleted: flag });

export type MachineCreateBody = z.output<ReturnType<typeof machineCreateSchema>>;
export type MachineUpdateBody = z.output<typeof machineUpdateSchema>;
export type ExecBody = z.output<typeof execSchema>;
