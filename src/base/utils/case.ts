/**
 * camelCase ↔ snake_case for wire-name aliases (`tenantId` ↔ `tenant_id`).
 *
 * Rules:
 * - Leading underscores are kept as they are (`_id` → `_id`, `__typename` stays).
 * - An acronym is one word: `generatorURL` → `generator_url`,
 *   `HTTPServer` → `http_server`.
 * - Digits belong to the word before them: `ipv4Address` → `ipv4_address`,
 *   `sha256` → `sha256`.
 * - The mapping back cannot restore acronyms: `generator_url` → `generatorUrl`.
 *   Declare an explicit alias where an exact camelCase name matters.
 */

/** Splits off leading underscores, which both conversions keep. */
function splitLeadingUnderscores(name: string): [prefix: string, rest: string] {
  let i = 0;
  while (i < name.length && name.charCodeAt(i) === 0x5f) i++;
  return [name.slice(0, i), name.slice(i)];
}

/**
 * camelCase (or PascalCase) to snake_case. Already snake_case input is
 * returned unchanged.
 *
 * @example
 * ```ts
 * toSnakeCase('tenantId');     // 'tenant_id'
 * toSnakeCase('generatorURL'); // 'generator_url'
 * toSnakeCase('HTTPServer');   // 'http_server'
 * toSnakeCase('ipv4Address');  // 'ipv4_address'
 * toSnakeCase('_internalId');  // '_internal_id'
 * ```
 */
export function toSnakeCase(name: string): string {
  const [prefix, rest] = splitLeadingUnderscores(name);
  const snake = rest
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
  return prefix + snake;
}

/**
 * snake_case to camelCase. Already camelCase input is returned unchanged;
 * runs of underscores inside the name count as one, trailing ones are dropped.
 *
 * @example
 * ```ts
 * toCamelCase('tenant_id');     // 'tenantId'
 * toCamelCase('generator_url'); // 'generatorUrl'
 * toCamelCase('ipv4_address');  // 'ipv4Address'
 * toCamelCase('_tenant_id');    // '_tenantId'
 * ```
 */
export function toCamelCase(name: string): string {
  const [prefix, rest] = splitLeadingUnderscores(name);
  return prefix + rest.replace(/_+([^_]?)/g, (_m, next: string) => next.toUpperCase());
}
