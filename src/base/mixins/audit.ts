import { z } from 'zod';
import { LIMITS } from '../constants.js';
import { defineMixin } from './mixin.js';

/** Who did it: an actor id (user, API key or system component). */
export const Actor = z.string().min(1).max(LIMITS.nameMaxLength);

/** `createdBy` and `updatedBy`: the actors of the first and the last change. */
export const AuditMixin = defineMixin(
  'AuditMixin',
  {
    createdBy: Actor.nullable().default(null),
    updatedBy: Actor.nullable().default(null),
  },
  { immutable: ['createdBy'], description: 'Who created and who last changed the record.' },
);
