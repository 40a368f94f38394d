/**
 * Output encoding for browsers: alertbase answers data (JSON, XML, YAML,
 * problem details), never pages, except its API documentation at `/docs`.
 * Every answer says so to a browser that opens it: `X-Content-Type-Options:
 * nosniff` (never read as HTML whatever it holds) and, outside `/docs`, a
 * content security policy that runs nothing and cannot be framed, so a
 * label or annotation such as `<script>…` stays text wherever it appears.
 */
import type { FastifyInstance } from 'fastify';

/** The policy of every answer outside `/docs`: no script, style, image, frame or connection. */
export const DATA_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Where the API documentation (Swagger UI: a page with its scripts) is served. */
const DOCS_PREFIX = '/docs';

/** Adds the headers above to every answer of `app`, errors and 404s included. */
export function useOutputHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    const path = request.url.split('?')[0] ?? '';
    if (path !== DOCS_PREFIX && !path.startsWith(`${DOCS_PREFIX}/`)) {
      reply.header('content-security-policy', DATA_CONTENT_SECURITY_POLICY);
    }
  });
}
