import type { FastifyInstance } from "fastify";
import { rfc3339 } from "../ids";
import { body, type AppParams, type Services } from "./common";

type SecretParams = AppParams & { name: string };

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
    const app = s.apps.get(req.params.app);
    const sec = s.apps.setSecret(app, req.params.name, body(req.body));
    return {
      name: req.params.name,
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
