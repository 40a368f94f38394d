import { Timestamp } from '../types/fields.js';
import { Actor } from './audit.js';
import { defineMixin } from './mixin.js';

/** `deletedAt` and `deletedBy`: a soft-deleted record is kept but hidden. */
export const SoftDeleteMixin = defineMixin(
  'SoftDeleteMixin',
  {
    deletedAt: Timestamp.nullable().default(null),
    deletedBy: Actor.nullable().default(null),
  },
  { description: 'Soft deletion: when and by whom.' },
);

/** The fields a soft-deletable instance has. */
export interface SoftDeletable {
  readonly deletedAt: Date | null;
  readonly deletedBy: string | null;
}

/** What {@link softDelete} and {@link restore} need of a model. */
export interface SoftDeleteModel<I extends SoftDeletable> {
  readonly name: string;
  hasMixin(name: string): boolean;
  update(instance: I, patch: { deletedAt?: Date | null; deletedBy?: string | null }): I;
}

/** Is the record soft-deleted? */
export function isDeleted(instance: SoftDeletable): boolean {
  return instance.deletedAt !== null;
}

/**
 * Returns the instance marked deleted by `by` at `at` (default now).
 * Deleting a deleted record keeps the first deletion.
 *
 * @example
 * ```ts
 * const gone = softDelete(AlertRule, rule, 'user:42');
 * isDeleted(gone); // true
 * ```
 */
export function softDelete<I extends SoftDeletable>(
  model: SoftDeleteModel<I>,
  instance: I,
  by: string,
  at: Date = new Date(),
): I {
  if (isDeleted(instance)) return instance;
  return model.update(instance, { deletedAt: at, deletedBy: by });
}

/** Returns the instance with its deletion undone. Restoring a live record returns it as is. */
export function restore<I extends SoftDeletable>(model: SoftDeleteModel<I>, instance: I): I {
  if (!isDeleted(instance)) return instance;
  return model.update(instance, { deletedAt: null, deletedBy: null });
}
