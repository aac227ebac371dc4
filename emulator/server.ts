/**
 * The HTTP side, on fastify (small, typed, well kept): bearer auth on every
 * call, `{"error": ...}` bodies, optional rate limits and fault injection,
 * and the Machines API routes under /v1.
 */
import { timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { Context } from "./context";
import { ApiError, badRequest } from "./errors";
import { injectedFault, limitFor, RateLimiter } from "./limits";
import { appRoutes } from "./routes/apps";
import type { Services } from "./routes/common";
import { machineRoutes } from "./routes/machines";
import { secretRoutes } from "./routes/secrets";
import { volumeRoutes } from "./routes/volumes";

export const BASE_PATH = "/v1";

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseJson(
  _req: FastifyRequest,
  text: string | Buffer,
  done: (e: Error | null, v?: unknown) => void,
): void {
  const s = text.toString();
  if (s.trim() === "") return done(null, undefined);
  try {
    done(null, JSON.parse(s));
  } catch (e) {
    done(badRequest(`malformed JSON body: ${(e as Error).message}`));
  }
}

export function buildServer(ctx: Context, services: Services): FastifyInstance {
  const f = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  const limiter = new RateLimiter();

  f.removeAllContentTypeParsers();
  f.addContentTypeParser("*", { parseAs: "string" }, parseJson);

  f.addHook("onRequest", async (req, reply) => {
    if (!tokenMatches(req.headers.authorization, ctx.store.state.token)) {
      return reply.code(401).send({ error: "unauthorized: missing or invalid bearer token" });
    }
    const { latencyMs, faultRate } = ctx.settings;
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const fault = injectedFault({ rate: faultRate, latencyMs });
    if (fault) return reply.code(fault).send({ error: `injected fault (${fault})` });
    if (ctx.settings.rateLimit) {
      const route = req.routeOptions.url ?? req.url;
      const p = (req.params ?? {}) as Record<string, string | undefined>;
      const subject = p.id ?? p.app ?? "-";
      const { perSecond, burst } = limitFor(req.method, route);
      if (!limiter.take(`${req.method} ${route} ${subject}`, perSecond, burst)) {
        return reply.code(429).send({ error: "rate limit exceeded" });
      }
    }
    return undefined;
  });

  f.setErrorHandler((err, _req, reply) => {
    if (err instanceof ApiError) {
      const payload: Record<string, string> = { error: err.message };
      if (err.flyStatus) payload.status = err.flyStatus;
      return reply.code(err.statusCode).send(payload);
    }
    const e = err as { statusCode?: number; message?: string };
    const status = typeof e.statusCode === "number" && e.statusCode >= 400 ? e.statusCode : 500;
    if (status >= 500) process.stderr.write(`fly-emulator: ${String(e.message)}\n`);
    return reply.code(status).send({ error: e.message ?? "internal error" });
  });

  f.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: `not found: ${req.method} ${req.url}` });
  });

  f.register(
    async (api) => {
      appRoutes(api, services);
      secretRoutes(api, services);
      volumeRoutes(api, services);
      machineRoutes(api, services);
    },
    { prefix: BASE_PATH },
  );
  return f;
}
