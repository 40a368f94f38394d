import type { Migration } from '../types.js';
import { tenantPolicies } from './tenant-policies.js';

/**
 * People and their sessions.
 *
 * - `users`: the people of a tenant, who log in with an e-mail address and
 *   a password (its argon2id hash in the document); one address once per
 *   tenant, compared in lower case.
 * - `sessions`: what a login gives, an opaque token of which only the
 *   SHA-256 is stored; expired or revoked sessions authenticate nothing.
 *
 * Both are tenant tables (row-level security forced). Frozen once released.
 */
export const migration0005: Migration = {
  id: 5,
  name: 'people-sessions',
  sql: `-- alertbase 0005: users with passwords, login sessions.
CREATE TABLE users (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  email text NOT NULL CHECK (email = lower(email)),
  role text NOT NULL,
  status text NOT NULL,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX users_email_key ON users (tenant_id, email) WHERE deleted_at IS NULL;
CREATE INDEX users_created_idx ON users (tenant_id, created_at, id);
${tenantPolicies('users')}

CREATE TABLE sessions (
  tenant_id text NOT NULL REFERENCES tenants (tenant_id),
  id text NOT NULL,
  user_id text NOT NULL,
  token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  client text,
  CONSTRAINT sessions_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT sessions_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX sessions_token_key ON sessions (tenant_id, token_hash);
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id) WHERE revoked_at IS NULL;
${tenantPolicies('sessions')}
`,
};
