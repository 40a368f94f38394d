import { Timestamp } from '../types/fields.js';
import { defineMixin } from './mixin.js';

/**
 * `createdAt` and `updatedAt`. Both default to the time of parsing; a validated
 * update bumps `updatedAt`; `createdAt` never changes.
 */
export const TimestampMixin = defineMixin(
  'TimestampMixin',
  {
    createdAt: Timestamp.default(() => new Date()),
    updatedAt: Timestamp.default(() => new Date()),
  },
  { immutable: ['createdAt'], description: 'Creation and last-update times.' },
);
