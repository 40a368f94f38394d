/**
 * The payload archive: the contract, its PostgreSQL and MongoDB engines,
 * and what they share (the JSON-safe body, cursors, MongoDB key encoding).
 */
export { archivable, MAX_ARCHIVE_DEPTH } from './archivable.js';
export { archiveCursor, archiveKeyOf } from './archive-cursor.js';
export { decodeKey, decodeKeys, encodeKey, encodeKeys } from './mongo-keys.js';
export {
  createMongoPayloadArchive,
  type MongoPayloadArchiveOptions,
  tenantFilter,
} from './mongo-payload-archive.js';
export { createPgPayloadArchive } from './pg-payload-archive.js';
export {
  ARCHIVE_DOORS,
  ARCHIVE_OUTCOMES,
  type ArchiveDoor,
  type ArchivedPayload,
  type ArchiveFilter,
  type ArchiveIssue,
  type ArchiveOutcome,
  type ArchivePage,
  type ArchiveSummary,
  type PayloadArchive,
} from './types.js';
