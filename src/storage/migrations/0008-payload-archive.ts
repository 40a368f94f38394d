import type { Migration } from '../types.js';
import { tenantPolicies } from './tenant-policies.js';

/**
 * The payload archive in PostgreSQL: `payload_archive`, one row per ingest
 * request (its decoded body as `jsonb`, who sent it, how, when, and whether
 * it was accepted or refused with which issues), for `GET /v1/archive` and
 * `POST /v1/archive/replay`. Written behind ingest by the service's archive
 * writer; used when `MONGODB_URL` is not set. Listings go newest first by
 * `(received_at, id)`; retention deletes by `received_at`.
 *
 * No foreign key to `tenants`: the archive is a record of requests, and must
 * not keep a tenant from being purged. Frozen once released.
 */
export const migration0008: Migration = {
  id: 8,
  name: 'payload-archive',
  sql: `-- alertbase 0008: the raw payload archive (GET /v1/archive, POST /v1/archive/replay).
CREATE TABLE payload_archive (
  tenant_id text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL,
  request_id text NOT NULL,
  key_id text NOT NULL,
  door text NOT NULL CHECK (door IN ('alerts', 'alertmanager-v2', 'alertmanager-webhook')),
  format text NOT NULL CHECK (format IN ('json', 'yaml', 'xml', 'protobuf', 'msgpack')),
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
  issues jsonb NOT NULL DEFAULT '[]',
  bytes integer NOT NULL CHECK (bytes >= 0),
  body jsonb,
  CONSTRAINT payload_archive_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX payload_archive_received_idx ON payload_archive (tenant_id, received_at, id);

${tenantPolicies('payload_archive')}
`,
};
