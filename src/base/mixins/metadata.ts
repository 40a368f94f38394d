import { z } from 'zod';
import { LIMITS } from '../constants.js';
import { AnnotationMap, LabelSet } from '../types/fields.js';
import { defineMixin } from './mixin.js';

/** A tag: short free text, as Opsgenie limits it. */
export const Tag = z.string().min(1).max(LIMITS.tagMaxLength);

/** `labels` (identifying, Prometheus label rules), `annotations` (descriptive) and `tags`. */
export const MetadataMixin = defineMixin(
  'MetadataMixin',
  {
    labels: LabelSet.default({}),
    annotations: AnnotationMap.default({}),
    tags: z.array(Tag).max(LIMITS.maxTags).default([]),
  },
  { description: 'Labels, annotations and tags.' },
);
