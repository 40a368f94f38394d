import { TenantId } from '../types/fields.js';
import { defineMixin } from './mixin.js';

/** `tenantId`: the tenant that owns the record. Set at creation, never changed. */
export const TenantMixin = defineMixin(
  'TenantMixin',
  { tenantId: TenantId },
  { immutable: ['tenantId'], description: 'The owning tenant.' },
);
