/**
 * Level 5, consistency: the document against other entities, through the
 * caller's {@link ConsistencyLookup}. Without a lookup (or without the method
 * a check needs) the level says it was skipped (`consistency_skipped`, an
 * info) and marks itself in `result.skipped`: it never claims a pass it did
 * not check.
 */

import { TenantTier } from '../enums/tenant-tier.js';
import { type Check, type CheckContext, defineCheck } from './check.js';

/** Options of {@link consistencyChecks}. */
export interface ConsistencyCheckOptions {
  /**
   * Reference fields: field → the kind (model name) its ids refer to.
   * Default `{ channelIds: 'NotificationChannel', ruleId: 'AlertRule' }`.
   */
  readonly references?: Readonly<Record<string, string>>;
  /**
   * The tier quota that limits each kind: model name → `TierQuotas` key.
   * Default `{ AlertRule: 'maxRules', NotificationChannel: 'maxChannels' }`.
   */
  readonly quotas?: Readonly<Record<string, 'maxRules' | 'maxChannels'>>;
  /** The kind of the documents when the validator has no model. */
  readonly kind?: string;
}

const skipped = (ctx: CheckContext, why: string): void => {
  ctx.info({ code: 'consistency_skipped', message: `${ctx.check} was skipped: ${why}` });
  ctx.result.markSkipped('consistency');
};

/** The tenant a document belongs to: its own `tenantId`, else the caller's. */
const tenantOf = (ctx: CheckContext): string | undefined => {
  const own = ctx.field('tenantId');
  return typeof own === 'string' ? own : ctx.tenant?.id;
};

/**
 * The consistency level's checks:
 * - `consistency.references`: each id in a reference field (a rule's `channelIds`) exists
 *   in the document's tenant (`unknown_reference`; an entity of another tenant is reported
 *   the same way, so the answer does not reveal that it exists);
 * - `consistency.unique-name`: no other entity of the kind has the name in the tenant
 *   (`duplicate_name`);
 * - `consistency.quota`: creating the entity keeps the tenant within its tier's quota
 *   (`quota_exceeded`); needs the tenant's `tier`.
 *
 * @example
 * ```ts
 * await createValidator({ model: AlertRule }).validate(rule, { tenant, lookup });
 * ```
 */
export function consistencyChecks(options: ConsistencyCheckOptions = {}): Check[] {
  const references = options.references ?? {
    channelIds: 'NotificationChannel',
    ruleId: 'AlertRule',
  };
  const quotas = options.quotas ?? { AlertRule: 'maxRules', NotificationChannel: 'maxChannels' };
  const kindOf = (ctx: CheckContext): string | undefined => ctx.model?.name ?? options.kind;
  const version =
    options.references === undefined && options.quotas === undefined && options.kind === undefined
      ? '1'
      : `1+${JSON.stringify([options.references, options.quotas, options.kind])}`;

  return [
    defineCheck({
      name: 'consistency.references',
      level: 'consistency',
      version,
      description: 'Referenced entities exist in the same tenant.',
      async run(ctx) {
        const tenantId = tenantOf(ctx);
        for (const [field, kind] of Object.entries(references)) {
          const raw = ctx.field(field);
          const ids = (Array.isArray(raw) ? raw : [raw]).filter(
            (v): v is string => typeof v === 'string',
          );
          if (ids.length === 0) continue;
          const find = ctx.lookup?.findEntities;
          if (find === undefined || tenantId === undefined) {
            skipped(
              ctx,
              find === undefined ? 'no lookup can find entities' : 'the tenant is not known',
            );
            return;
          }
          const found = await find.call(ctx.lookup, kind, ids);
          const owned = new Set(found.filter((e) => e.tenantId === tenantId).map((e) => e.id));
          ids.forEach((id, i) => {
            if (owned.has(id)) return;
            ctx.error({
              code: 'unknown_reference',
              path: ctx.pointer(Array.isArray(raw) ? [field, i] : [field]),
              message: `no ${kind} ${JSON.stringify(id)} in tenant ${tenantId}`,
            });
          });
        }
      },
    }),
    defineCheck({
      name: 'consistency.unique-name',
      level: 'consistency',
      version,
      description: 'Names are unique per tenant and kind.',
      async run(ctx) {
        const name = ctx.field('name');
        const kind = kindOf(ctx);
        if (typeof name !== 'string' || kind === undefined) return;
        const tenantId = tenantOf(ctx);
        const find = ctx.lookup?.findIdByName;
        if (find === undefined || tenantId === undefined) {
          skipped(ctx, find === undefined ? 'no lookup can find names' : 'the tenant is not known');
          return;
        }
        const existing = await find.call(ctx.lookup, kind, tenantId, name);
        if (existing !== undefined && existing !== ctx.field('id')) {
          ctx.error({
            code: 'duplicate_name',
            path: ctx.pointer(['name']),
            message: `tenant ${tenantId} already has a ${kind} named ${JSON.stringify(name)}`,
          });
        }
      },
    }),
    defineCheck({
      name: 'consistency.quota',
      level: 'consistency',
      version,
      description: "Creating the entity keeps the tenant within its tier's quota.",
      async run(ctx) {
        const kind = kindOf(ctx);
        const quota = kind === undefined ? undefined : quotas[kind];
        if (quota === undefined || kind === undefined || ctx.operation !== 'create') return;
        const tenantId = tenantOf(ctx);
        const tier = ctx.tenant?.tier;
        const count = ctx.lookup?.countEntities;
        if (count === undefined || tenantId === undefined || !TenantTier.is(tier)) {
          skipped(
            ctx,
            count === undefined ? 'no lookup can count entities' : "the tenant's tier is not known",
          );
          return;
        }
        const limit = TenantTier.quotas(tier)[quota];
        const current = await count.call(ctx.lookup, kind, tenantId);
        if (current + 1 > limit) {
          ctx.error({
            code: 'quota_exceeded',
            message: `tenant ${tenantId} on tier ${tier} has ${current} of at most ${limit} ${kind} entities`,
          });
        }
      },
    }),
  ];
}
