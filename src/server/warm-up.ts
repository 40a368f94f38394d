/**
 * `performance.lazy_loading`. On (the default): database drivers, ioredis,
 * the metrics server, the password hashing libraries and those of the
 * binary and XML formats are imported on first use, so a server that never
 * uses one never loads it. Off: they are imported at start, so that the
 * first request that needs one does not pay for loading it.
 */

import { msgpackrLibrary, protobufLibrary, xmlLibrary } from '../base/serializers/libraries.js';

/** The modules alertbase otherwise loads on first use. */
const LAZY_MODULES: Readonly<Record<string, () => Promise<unknown>>> = Object.freeze({
  'postgres driver': () => import('../storage/drivers/postgres.js'),
  'pglite driver': () => import('../storage/drivers/pglite.js'),
  pg: () => import('pg'),
  '@electric-sql/pglite': () => import('@electric-sql/pglite'),
  ioredis: () => import('ioredis'),
  'metrics server': () => import('../observability/metrics-server.js'),
  '@node-rs/argon2': () => import('@node-rs/argon2'),
  bcryptjs: () => import('bcryptjs'),
  // The libraries of the binary and XML formats (see base/serializers/libraries.ts).
  msgpackr: async () => msgpackrLibrary(),
  protobufjs: async () => protobufLibrary(),
  'fast-xml-parser': async () => xmlLibrary(),
});

/**
 * Imports every module alertbase otherwise loads on first use; the names of
 * those loaded.
 *
 * @example
 * ```ts
 * if (!config.performance.lazyLoading) await warmModules();
 * ```
 */
export async function warmModules(): Promise<string[]> {
  const names = Object.keys(LAZY_MODULES);
  await Promise.all(names.map((name) => LAZY_MODULES[name]?.()));
  return names;
}
