import type { AlertRule } from '../../domain/alert-rule.js';
import type { Database, TransactionClient } from '../types.js';
import { ModelRepository, type ModelRepositoryOptions } from './model-repository.js';
import { ALERT_RULES } from './specs.js';
import { prepared } from './statements.js';
import { TenantMemo, type TenantMemoOptions, tableStamp } from './tenant-memo.js';
import type { AlertRuleFilter } from './types.js';

const NAMES = prepared(
  'SELECT name, id FROM alert_rules WHERE tenant_id = $1 AND deleted_at IS NULL',
);

/** A tenant's rules by name: rule name → rule id (names are unique among live rules). */
export type RuleIdsByName = ReadonlyMap<string, string>;

async function readRuleNames(tx: TransactionClient, tenantId: string): Promise<RuleIdsByName> {
  const { rows } = await tx.query<{ name: string; id: string }>(
    NAMES.text,
    [tenantId],
    NAMES.options,
  );
  return new Map(rows.map((r) => [r.name, r.id]));
}

/**
 * Per tenant, its rules' ids by name, in memory: ingest ties an alert to the
 * rule whose name is the alert's `alertname` (what Prometheus sends has no
 * rule id). Reloaded after this process changes a rule, at most a second
 * old otherwise.
 */
export class RuleNameIndex extends TenantMemo<RuleIdsByName> {
  constructor(db: Database, options: TenantMemoOptions = {}) {
    super(db, readRuleNames, { ...options, stamp: tableStamp('alert_rules') });
  }
}

/** Alert rules: filters by status (`enabled`/`disabled`), level at least, labels. */
export class AlertRuleRepository extends ModelRepository<
  AlertRule,
  import('./create-repositories.js').CreateInput<
    typeof import('../../domain/alert-rule.js').AlertRule
  >,
  import('./create-repositories.js').PatchInput<
    typeof import('../../domain/alert-rule.js').AlertRule
  >,
  AlertRuleFilter
> {
  readonly #names: RuleNameIndex;

  constructor(db: Database, names: RuleNameIndex, options: ModelRepositoryOptions = {}) {
    super(db, ALERT_RULES, options);
    this.#names = names;
  }

  protected override afterCommit(tenantId: string): void {
    this.#names.invalidate(tenantId);
  }
}
