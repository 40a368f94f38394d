import { createHash } from 'node:crypto';
import { sqlLiteral } from '../base-database.js';
import type { QueryOptions } from '../types.js';

/** A statement text with the name it is prepared under on a server. */
export interface Statement {
  readonly text: string;
  readonly options: QueryOptions;
}

const cache = new Map<string, Statement>();

/**
 * @internal A prepared statement for `text`: its name is derived from the
 * text (`ab_<sha-256 prefix>`), so one name never carries two texts.
 */
export function prepared(text: string): Statement {
  let statement = cache.get(text);
  if (statement === undefined) {
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 24);
    statement = { text, options: { name: `ab_${digest}` } };
    cache.set(text, statement);
  }
  return statement;
}

/**
 * @internal A statement without parameters that sends one notification on
 * `channel` per payload: for `TransactionClient.atCommit`, which delivers
 * them at the commit. `channel` is one of alertbase's own names.
 */
export function notifySql(channel: string, payloads: readonly string[]): string {
  return `SELECT ${payloads.map((p) => `pg_notify('${channel}', ${sqlLiteral(p)})`).join(', ')}`;
}
