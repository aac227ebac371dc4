import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { rfc3339 } from "../ids";
import { parse, parseBody, type AppParams, type Services } from "./common";

type SecretParams = AppParams & { name: string };

/** The KEY in /apps/{app}/secrets/{KEY}: an environment variable name. */
export const secretNameSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    "must be letters, digits and underscores, not starting with a digit",
  );

/** POST /apps/{app}/secrets/{KEY}: the provider sends `type: "opaque"`, fly-go only `value`. */
export const secretSetSchema = z.looseObject({
  value: z.string(),
  type: z.string().optional(),
});

export function secretRoutes(f: FastifyInstance, s: Services): void {
  f.get<{ Params: AppParams }>("/apps/:app/secrets", async (req) => {
    const app = s.apps.get(req.params.app);
    return {
      secrets: Object.entries(app.secrets)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, sec]) => ({
          name,
          digest: sec.digest,
          created_at: rfc3339(sec.createdAt),
          updated_at: rfc3339(sec.updatedAt),
        })),
    };
  });

  f.post<{ Params: SecretParams }>("/apps/:app/secrets/:name", async (req) => {
    const input = parseBody(secretSetSchema, req.body);
    const name = parse(secretNameSchema, req.params.name, "secret name");
    const app = s.apps.get(req.params.app);
    const sec = s.apps.setSecret(app, name, input);
    return {
      name,
      digest: sec.digest,
      created_at: rfc3339(sec.createdAt),
      updated_at: rfc3339(sec.updatedAt),
      version: app.secretsVersion,
    };
  });

  f.delete<{ Params: SecretParams }>("/apps/:app/secrets/:name", async (req) => {
    const app = s.apps.get(req.params.app);
    s.apps.deleteSecret(app, req.params.name);
    return { version: app.secretsVersion };
  });
}
