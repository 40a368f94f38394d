/**
 * The store-time door of notification channels: a channel whose URL
 * (`config.url` of a webhook or PagerDuty, `config.webhookUrl` of Slack and
 * Teams, `config.apiUrl` of Opsgenie) or SMTP server (`config.smtp.smarthost`
 * of e-mail) reaches this
 * machine, a private network or a cloud metadata service is refused before
 * it is stored, unless the deployment (`NOTIFY_ALLOW_PRIVATE_NETWORKS`) or
 * the tenant's `allowPrivateNetworks` says so (cloud
 * metadata: always refused). The judgement is `checkUrlTarget`'s, on the URL
 * as written; delivery must judge the resolved address again.
 */
import { SecurityViolationError } from '../../base/exceptions/index.js';
import { isSecret } from '../../base/types/secret.js';
import { checkUrlTarget } from '../../base/validators/index.js';
import type { RouteContext } from './context.js';

/** Keys of a channel configuration that hold a URL alertbase will call, in any spelling. */
const URL_KEYS = ['url', 'webhookUrl', 'webhook_url', 'apiUrl', 'api_url'] as const;

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Throws `ALERTBASE_SECURITY_VIOLATION` (400) when a channel body's URL is
 * not allowed for the tenant; the error names the field (`pointer`), the
 * finding (`category`) and the host as normalised (`127.0.0.1` for
 * `http://0x7f.0.0.1/`).
 */
export async function checkChannelTargets(
  ctx: RouteContext,
  tenantId: string,
  body: unknown,
): Promise<void> {
  // Not an object (JSON null, an array): nothing to judge; the model refuses it.
  if (!isRecord(body)) return;
  const config = body.config;
  if (!isRecord(config)) return;
  let allowPrivateNetworks: boolean | undefined;
  const targets: [string, unknown][] = URL_KEYS.map((key) => [key, config[key]]);
  const smtp = config.smtp;
  // host:port judged as the host of a URL.
  if (isRecord(smtp) && typeof smtp.smarthost === 'string')
    targets.push(['smtp.smarthost', `http://${smtp.smarthost}/`]);
  for (const [key, raw] of targets) {
    const value = isSecret(raw) ? raw.reveal() : raw;
    if (typeof value !== 'string') continue;
    allowPrivateNetworks ??=
      ctx.config.notifications.allowPrivateNetworks ||
      (await ctx.tenants.get(tenantId))?.settings.allowPrivateNetworks === true;
    const verdict = checkUrlTarget(value, { allowPrivateNetworks });
    if (!verdict.ok) {
      throw new SecurityViolationError(`config.${key}: ${verdict.message}`, {
        pointer: `/config/${key.replace('.', '/')}`,
        category: verdict.category,
        host: verdict.host,
      });
    }
  }
}
