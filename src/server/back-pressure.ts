/**
 * Back-pressure (`@fastify/under-pressure`): past `MAX_MEMORY_USAGE_MB` of
 * JavaScript heap (where caches and queues live), requests are answered 503
 * `ALERTBASE_SERVER_OVERLOADED` with `Retry-After` instead of taking more
 * memory; the server recovers by itself once the heap is back under the
 * limit (sampled every second). Health checks and metrics still answer.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { AlertbaseError } from '../base/exceptions/index.js';

/** Options of {@link useBackPressure}. */
export interface BackPressureOptions {
  /** `MAX_MEMORY_USAGE_MB`. */
  readonly maxMemoryUsageMb: number;
  /** Seconds a refused client is told to wait. Default 5. */
  readonly retryAfterSeconds?: number;
  /** How often memory is sampled, ms. Default 1,000. */
  readonly sampleIntervalMs?: number;
}

/** Paths that answer whatever the pressure: probes and scrapes. */
const ALWAYS = /^\/(?:health(?:\/|$|\?)|metrics(?:$|\?))/;

const MIB = 1_048_576;

/** Registers back-pressure on `app` (all its routes). */
export async function useBackPressure(
  app: FastifyInstance,
  options: BackPressureOptions,
): Promise<void> {
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  await app.register(underPressure, {
    maxHeapUsedBytes: options.maxMemoryUsageMb * MIB,
    sampleInterval: options.sampleIntervalMs ?? 1_000,
    retryAfter: retryAfterSeconds,
    pressureHandler: async (request, reply, _type, value) => {
      if (ALWAYS.test(request.url)) return;
      reply.header('retry-after', String(retryAfterSeconds));
      throw new AlertbaseError('ALERTBASE_SERVER_OVERLOADED', {
        usedMb: Math.round((value ?? 0) / MIB),
        limitMb: options.maxMemoryUsageMb,
        retryAfterSeconds,
      });
    },
  });
}
