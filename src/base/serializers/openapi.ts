import type { AnyModel, JsonSchema } from '../types/model.js';

/** Options of {@link buildOpenApiComponents}. */
export interface OpenApiOptions {
  /** `info.title` of the document. Default `alertbase`. */
  readonly title?: string;
  /** `info.version`. Default `1.0.0`. */
  readonly version?: string;
  /** Property names as wire names (snake_case). Default `true`, as the API speaks. */
  readonly byAlias?: boolean;
}

/** An OpenAPI 3.1 document (only what alertbase fills in is typed). */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Record<string, never>;
  readonly components: { readonly schemas: Readonly<Record<string, JsonSchema>> };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Points a schema's local references (`#/$defs/x`, which a recursive model
 * such as the routing tree has) at the component that holds the `$defs`:
 * inside an OpenAPI document `#/...` is read from the document's root.
 */
function rebaseRefs(schema: Record<string, unknown>, base: string): Record<string, unknown> {
  const rebase = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rebase);
    return isObject(value) ? rebaseRefs(value, base) : value;
  };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(schema)) {
    out[key] =
      key === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
        ? `${base}${v.slice(1)}`
        : rebase(v);
  }
  return out;
}

function component(
  model: AnyModel,
  io: 'input' | 'output',
  byAlias: boolean,
  name: string,
): JsonSchema {
  const { $schema: _dialect, ...schema } = model.toJSONSchema({ io, byAlias });
  if (schema.$defs === undefined) return schema;
  return rebaseRefs(schema, `#/components/schemas/${name}`);
}

/**
 * An OpenAPI 3.1 document whose `components.schemas` holds each model twice:
 * `<Model>` (what the API returns, with read-only computed fields) and
 * `<Model>Input` (what it accepts). OpenAPI 3.1 schemas are JSON Schema
 * draft 2020-12, so the models' own JSON Schema is used unchanged.
 *
 * @example
 * ```ts
 * const doc = buildOpenApiComponents(listModels());
 * ```
 */
export function buildOpenApiComponents(
  models: readonly AnyModel[],
  options: OpenApiOptions = {},
): OpenApiDocument {
  const byAlias = options.byAlias !== false;
  const schemas: Record<string, JsonSchema> = {};
  for (const model of [...models].sort((a, b) => a.name.localeCompare(b.name))) {
    schemas[model.name] = component(model, 'output', byAlias, model.name);
    schemas[`${model.name}Input`] = component(model, 'input', byAlias, `${model.name}Input`);
  }
  return {
    openapi: '3.1.0',
    info: { title: options.title ?? 'alertbase', version: options.version ?? '1.0.0' },
    paths: {},
    components: { schemas },
  };
}
