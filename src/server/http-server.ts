// The daemon's HTTP edge: Prometheus metrics, health and readiness probes, the
// controller's state as JSON, and job submission. Thin: every answer comes from the
// ControllerApi or the metrics registry. The caller decides where to listen.
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import type { Registry } from 'prom-client';
import { STOPPING_REASON, type ControllerApi } from '../controller/controller-view.ts';
import type { Logger } from '../log/logger.ts';

/** Large enough for thousands of job messages in one POST. */
export const SUBMIT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/** Scraped and probed every few seconds: logging each would drown the log. */
const QUIET_ROUTES = new Set(['/metrics', '/healthz', '/readyz']);

const ROUTES = ['GET /metrics', 'GET /healthz', 'GET /readyz', 'GET /v1/state', 'POST /v1/jobs'];

/** The fastify instance buildServer returns, typed with loadmaster's pino logger. */
export type LoadmasterServer = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>;

export type SubmitOutcome = Awaited<ReturnType<ControllerApi['submit']>>;

export function buildServer(api: ControllerApi, registry: Registry, logger: Logger): LoadmasterServer {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: (request) => QUIET_ROUTES.has(request.url.split('?')[0] ?? '') }),
  });

  // Read every body as text whatever its content type (curl -d sends form-urlencoded):
  // the submit route parses it itself and can then say what is wrong with it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ reason: `no route ${request.method} ${request.url}; expected one of: ${ROUTES.join(', ')}` });
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const statusCode = typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    const message = error instanceof Error ? error.message : String(error);
    // Client errors fastify raises itself (body too large, bad headers) are the caller's to fix.
    if (statusCode === 413) return reply.code(413).send({ reason: `the body is larger than ${SUBMIT_BODY_LIMIT_BYTES / 1024 / 1024} MiB; expected a smaller batch (send the jobs in several requests)` });
    if (statusCode < 500) return reply.code(statusCode).send({ reason: message });
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ reason: `internal error: ${message}` });
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (api.isStopping()) return reply.code(503).send({ status: 'stopping', reason: STOPPING_REASON });
    if (api.isReady()) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready', reason: 'the controller has not finished loading its config and its first sync with the cloud' });
  });

  app.get('/v1/state', async () => api.view());

  app.post('/v1/jobs', { bodyLimit: SUBMIT_BODY_LIMIT_BYTES }, async (request, reply) => submitJobs(api, request, reply));

  return app;
}

async function submitJobs(api: ControllerApi, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (api.isStopping()) return reply.code(503).send({ reason: STOPPING_REASON });
  const parsed = parseSubmission(request.body);
  if (!parsed.ok) return reply.code(400).send({ reason: parsed.reason });
  let outcome: SubmitOutcome;
  try {
    outcome = await api.submit(parsed.messages);
  } catch (error) {
    // Validation recurses into the body: nesting thousands deep overflows the stack.
    if (error instanceof RangeError) return reply.code(400).send({ reason: `the body is nested too deeply (${error.message}); ${EXPECTED_BODY}` });
    throw error;
  }
  // Accepted messages are enqueued even when others are rejected: the caller fixes and resends only those.
  if (outcome.rejected.length > 0) return reply.code(400).send({ accepted: outcome.accepted, rejected: outcome.rejected });
  return reply.code(202).send({ accepted: outcome.accepted });
}

const EXPECTED_BODY = 'expected one job message (a JSON object) or a JSON array of them';

/**
 * Validation is synchronous: millions of tiny messages in one body (10 MiB of `{}`) would
 * hold the event loop, health checks included, for most of a minute.
 */
export const MAX_MESSAGES_PER_REQUEST = 100_000;

/** The body as a list of messages, or why it cannot be one. Message contents are the controller's to judge. */
function parseSubmission(body: unknown): { ok: true; messages: unknown[] } | { ok: false; reason: string } {
  const text = typeof body === 'string' ? body : '';
  if (text.trim() === '') return { ok: false, reason: `the body is empty; ${EXPECTED_BODY}` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `the body is not valid JSON (${error instanceof Error ? error.message : String(error)}); ${EXPECTED_BODY}` };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { ok: false, reason: `the body is an empty array; ${EXPECTED_BODY}` };
    if (value.length > MAX_MESSAGES_PER_REQUEST) {
      return { ok: false, reason: `the body holds ${value.length.toLocaleString('en-US')} messages; expected at most ${MAX_MESSAGES_PER_REQUEST.toLocaleString('en-US')} per request (send them in several; nothing was queued)` };
    }
    return { ok: true, messages: value };
  }
  if (typeof value === 'object' && value !== null) return { ok: true, messages: [value] };
  return { ok: false, reason: `the body is ${JSON.stringify(value)}; ${EXPECTED_BODY}` };
}
