/**
 * The HTTP side, on fastify (small, typed, well kept): bearer auth on every
 * call, `{"error": ...}` bodies, Fly's rate limits, latency and fault
 * injection (all switchable at run time), the Machines API routes under /v1
 * and the emulator's admin routes under /__emulator (exempt from limits,
 * latency and faults).
 */
import { timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { flyAction } from "../config/fly-limits";
import type { Context } from "./context";
import { ApiError, badRequest } from "./errors";
import { Faults } from "./faults";
import { RateLimiter, StatsRecorder, type Outcome } from "./limits";
import { ADMIN_PATH, adminRoutes, type Limits } from "./routes/admin";
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

/** Seconds for a `Retry-After` header: whole, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function isAdmin(url: string): boolean {
  return url === ADMIN_PATH || url.startsWith(`${ADMIN_PATH}/`) || url.startsWith(`${ADMIN_PATH}?`);
}

export function buildServer(
  ctx: Context,
  services: Services,
  limits: Limits = { limiter: new RateLimiter(), faults: new Faults(), stats: new StatsRecorder() },
): FastifyInstance {
  const f = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  const { limiter, faults, stats } = limits;

  f.removeAllContentTypeParsers();
  f.addContentTypeParser("*", { parseAs: "string" }, parseJson);

  f.addHook("onRequest", async (req, reply) => {
    if (!tokenMatches(req.headers.authorization, ctx.store.state.token)) {
      return reply.code(401).send({ error: "unauthorized: missing or invalid bearer token" });
    }
    if (isAdmin(req.url)) return undefined;
    const settings = ctx.settings;
    const path = req.url.startsWith(BASE_PATH) ? req.url.slice(BASE_PATH.length) : req.url;
    const delay = faults.latencyMs(settings.latency);
    if (delay > 0) await sleep(delay);

    const action = flyAction(req.method, path).action;
    const answer = (outcome: Outcome, code: number, error: string, retryMs?: number) => {
      stats.record(action, outcome);
      if (retryMs !== undefined && settings.retryAfter) {
        reply.header("retry-after", String(retryAfterSeconds(retryMs)));
      }
      return reply.code(code).send({ error });
    };
    // 429 windows, then Fly's limits (a 429 takes no token), then injected 5xx.
    const fault = faults.decide(settings);
    if (fault?.kind === "burst429") {
      return answer("burst429", 429, "rate limit exceeded", fault.retryAfterMs);
    }
    if (settings.rateLimit) {
      const rate = limiter.check(req.method, path);
      if (!rate.allowed) {
        return answer("rateLimited", 429, "rate limit exceeded", rate.retryAfterMs);
      }
    }
    if (fault?.kind === "fault") {
      return answer("faults5xx", fault.status, `injected fault (${fault.status})`);
    }
    stats.record(action, "ok");
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

  f.register(async (admin) => adminRoutes(admin, ctx, services, limits), { prefix: ADMIN_PATH });
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
