/**
 * The row-level security of a tenant table, as every tenant table since
 * 0001 has it: forced, one policy per command on `app.tenant_id`, and the
 * app role's grants. The text a migration embeds is frozen with it: change
 * this only together with a new migration.
 */
export const tenantPolicies = (table: string): string => {
  const own = `tenant_id = NULLIF(current_setting('app.tenant_id', true), '')`;
  return `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY ${table}_select ON ${table} FOR SELECT USING (${own});
CREATE POLICY ${table}_insert ON ${table} FOR INSERT WITH CHECK (${own});
CREATE POLICY ${table}_update ON ${table} FOR UPDATE USING (${own}) WITH CHECK (${own});
CREATE POLICY ${table}_delete ON ${table} FOR DELETE USING (${own});
REVOKE ALL ON ${table} FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO alertbase_app;`;
};
