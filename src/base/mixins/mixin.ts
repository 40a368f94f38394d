import type { z } from 'zod';

/** The fields of a model or mixin: field name → Zod schema. */
export type Shape = Record<string, z.ZodType>;

/**
 * A reusable group of fields that models compose (the seed's mixins).
 *
 * `immutable` fields are set when an instance is created and refused by
 * validated updates (`id`, `tenantId`, `createdAt`, ...).
 */
export interface Mixin<S extends Shape = Shape> {
  readonly kind: 'mixin';
  readonly name: string;
  readonly shape: S;
  readonly immutable: readonly string[];
  /** JSDoc-style description, shown in generated docs. */
  readonly description: string;
}

/** Options of {@link defineMixin}. */
export interface MixinOptions<S extends Shape> {
  readonly description?: string;
  /** Fields that a validated update may not change. */
  readonly immutable?: readonly (keyof S & string)[];
}

/**
 * Declares a mixin.
 *
 * @example
 * ```ts
 * const OwnerMixin = defineMixin('OwnerMixin', { ownerId: z.string() }, { immutable: ['ownerId'] });
 * const Thing = defineModel('Thing', { mixins: [OwnerMixin], fields: { name: z.string() } });
 * ```
 */
export function defineMixin<const S extends Shape>(
  name: string,
  shape: S,
  options: MixinOptions<S> = {},
): Mixin<S> {
  return Object.freeze({
    kind: 'mixin' as const,
    name,
    shape: Object.freeze({ ...shape }),
    immutable: Object.freeze([...(options.immutable ?? [])]),
    description: options.description ?? '',
  });
}
