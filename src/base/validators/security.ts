/**
 * Level 3, security: prototype-polluting keys, tenant isolation, injection
 * in free text, SSRF in URLs alertbase calls or links to, secrets pasted
 * into labels and annotations. Works on the document as given, so paths
 * are exactly the caller's.
 */

import { TenantIsolationError } from '../exceptions/index.js';
import { type Check, defineCheck } from './check.js';
import { documentIndexOf } from './document-index.js';
import { findInjections } from './injection.js';
import { findSecrets } from './secrets.js';
import { clip, pointerOf } from './shared.js';
import { checkUrlTarget } from './ssrf.js';

/** Options of {@link securityChecks}. */
export interface SecurityCheckOptions {
  /**
   * Keys whose string values are URLs alertbase calls or links to; default:
   * keys named `url`, `uri`, `endpoint`, `webhook` or ending in `Url`/`URL`/`_url`/`Uri`.
   */
  readonly urlKey?: RegExp;
  /**
   * URL keys that are links for people, never requested by alertbase: an
   * address on this machine or a private network there is a warning, not an
   * error (a Prometheus server links to itself, `http://localhost:9090/...`).
   * Default `/^generator_?url$/i`.
   */
  readonly linkUrlKey?: RegExp;
  /** Top-level fields whose URLs are not checked for SSRF; default `['labels', 'annotations']` (links for people). */
  readonly ssrfExcludeFields?: readonly string[];
  /** Keys whose values are command lines: any shell metacharacter is reported. */
  readonly commandKeys?: readonly string[];
  /** Top-level fields not scanned for injection; default `['condition', 'expr']` (parsed as PromQL). */
  readonly injectionExcludeFields?: readonly string[];
  /** Top-level fields scanned for secrets; default `['labels', 'annotations']`. */
  readonly secretFields?: readonly string[];
  /** Entropy threshold of generic secrets, bits per character; default 4.3. */
  readonly entropyThreshold?: number;
}

const DEFAULT_URL_KEY = /^(?:url|uri|endpoint|webhook)$|(?:url|uri)$/i;
/** URL keys alertbase only shows as links and never requests (Prometheus's generator URL). */
const DEFAULT_LINK_URL_KEY = /^generator_?url$/i;
const DEFAULT_COMMAND_KEYS = ['command', 'cmd', 'exec', 'script', 'shell', 'args', 'arguments'];

/**
 * The security level's checks:
 * - `security.forbidden-keys`: `__proto__` as a key anywhere (`constructor` and `prototype` are data)
 *   (`forbidden_key`, error);
 * - `security.tenant-isolation`: a document whose `tenantId` is not the caller's tenant
 *   throws `TenantIsolationError` (`ALERTBASE_TENANT_ISOLATION`): it is an access violation,
 *   not a data problem;
 * - `security.injection`: SQL statements, script tags, `javascript:` URLs, event handlers,
 *   shell metacharacters (in command-like fields; chained commands elsewhere) and `../`
 *   traversal in free text (`sql_injection`, `script_injection`, `shell_injection`,
 *   `path_traversal`; warnings, with the matched `fragment`);
 * - `security.ssrf`: URL fields pointing at cloud metadata (always refused), loopback,
 *   private, link-local or unspecified addresses or `localhost` names (refused unless the
 *   tenant's `allowPrivateNetworks`); errors `ssrf_*`, `url_scheme_not_allowed`, `invalid_url`
 *   — but warnings for the `ssrf_*` findings of link-only keys (`generatorURL`), which
 *   alertbase shows and never requests;
 * - `security.secrets`: secrets in labels and annotations (`secret_detected` with its
 *   `sensitivity`; critical and high are errors, medium a warning; the `fragment` is masked).
 *
 * @example
 * ```ts
 * securityChecks({ commandKeys: ['command', 'hook'] });
 * ```
 */
export function securityChecks(options: SecurityCheckOptions = {}): Check[] {
  const urlKey = options.urlKey ?? DEFAULT_URL_KEY;
  const linkUrlKey = options.linkUrlKey ?? DEFAULT_LINK_URL_KEY;
  const ssrfExclude = new Set(options.ssrfExcludeFields ?? ['labels', 'annotations']);
  const commandKeys = new Set(options.commandKeys ?? DEFAULT_COMMAND_KEYS);
  const injectionExclude = new Set(options.injectionExcludeFields ?? ['condition', 'expr']);
  const secretFields = new Set(options.secretFields ?? ['labels', 'annotations']);
  const secretOptions =
    options.entropyThreshold === undefined ? {} : { entropyThreshold: options.entropyThreshold };
  const customized = (...keys: (keyof SecurityCheckOptions)[]): string =>
    keys.some((k) => options[k] !== undefined)
      ? `1+${keys.map((k) => String(options[k] ?? '')).join('|')}`
      : '1';

  return [
    defineCheck({
      name: 'security.forbidden-keys',
      level: 'security',
      description: '__proto__ keys are refused anywhere.',
      run(ctx) {
        for (const path of documentIndexOf(ctx).forbiddenKeys) {
          ctx.error({
            code: 'forbidden_key',
            path: pointerOf(path),
            message: `the key ${JSON.stringify(path[path.length - 1])} is not allowed (prototype pollution)`,
          });
        }
      },
    }),
    defineCheck({
      name: 'security.tenant-isolation',
      level: 'security',
      description: "A document of another tenant than the caller's is refused.",
      run(ctx) {
        if (ctx.tenant === undefined) return;
        const owner = ctx.document.tenantId ?? ctx.document.tenant_id;
        if (typeof owner === 'string' && owner !== ctx.tenant.id) {
          throw new TenantIsolationError(ctx.tenant.id, owner);
        }
      },
    }),
    defineCheck({
      name: 'security.injection',
      level: 'security',
      version: customized('commandKeys', 'injectionExcludeFields'),
      description: 'Injection-looking content in free text (warnings).',
      run(ctx) {
        for (const s of documentIndexOf(ctx).strings) {
          const top = s.path[0];
          if (typeof top === 'string' && injectionExclude.has(top)) continue;
          // A command field, or an item of a command's argument list.
          const holder = typeof s.key === 'number' ? s.path[s.path.length - 2] : s.key;
          const commandLike = typeof holder === 'string' && commandKeys.has(holder);
          for (const m of findInjections(s.value, { commandLike })) {
            ctx.warn({
              code: m.kind,
              path: pointerOf(s.path),
              message: `looks like ${m.pattern}: ${JSON.stringify(clip(m.fragment))}`,
              fragment: clip(m.fragment),
            });
          }
        }
      },
    }),
    defineCheck({
      name: 'security.ssrf',
      level: 'security',
      version: customized('urlKey', 'linkUrlKey', 'ssrfExcludeFields'),
      description: 'URLs do not point at this machine, private networks or cloud metadata.',
      run(ctx) {
        const allowPrivateNetworks = ctx.tenant?.settings?.allowPrivateNetworks === true;
        for (const s of documentIndexOf(ctx).strings) {
          const top = s.path[0];
          if (typeof top === 'string' && ssrfExclude.has(top)) continue;
          if (typeof s.key !== 'string' || !urlKey.test(s.key)) continue;
          const verdict = checkUrlTarget(s.value, { allowPrivateNetworks });
          if (verdict.ok) continue;
          const link = linkUrlKey.test(s.key) && verdict.category.startsWith('ssrf_');
          const finding = {
            code: verdict.category,
            path: pointerOf(s.path),
            message: link
              ? `${verdict.message} (a link for people: alertbase does not request it)`
              : verdict.message,
            ...(verdict.host === '' ? {} : { fragment: verdict.host }),
          };
          if (link) ctx.warn(finding);
          else ctx.error(finding);
        }
      },
    }),
    defineCheck({
      name: 'security.secrets',
      level: 'security',
      version: customized('secretFields', 'entropyThreshold'),
      description: 'Secrets in labels and annotations, classified by sensitivity.',
      run(ctx) {
        for (const s of documentIndexOf(ctx).strings) {
          const top = s.path[0];
          if (typeof top !== 'string' || !secretFields.has(top)) continue;
          for (const m of findSecrets(s.value, secretOptions)) {
            const finding = {
              code: 'secret_detected',
              path: pointerOf(s.path),
              message: `looks like a ${m.kind.replaceAll('_', ' ')} (${m.sensitivity} sensitivity): ${m.masked}; keep secrets in secret fields`,
              fragment: m.masked,
              sensitivity: m.sensitivity,
            };
            if (m.sensitivity === 'critical' || m.sensitivity === 'high') ctx.error(finding);
            else ctx.warn(finding);
          }
        }
      },
    }),
  ];
}
