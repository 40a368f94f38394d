import { z } from 'zod';
import { defineMixin } from './mixin.js';

/**
 * `version`, for optimistic concurrency: storage increments it on every
 * write and refuses a write that names a stale version.
 */
export const VersionedMixin = defineMixin(
  'VersionedMixin',
  { version: z.int().min(1).default(1) },
  { description: 'Optimistic-concurrency version, starting at 1.' },
);
