/**
 * The channel forms, read from the service's own OpenAPI document
 * (`/docs/json`): the request schema of `POST /v1/channels`, one branch per
 * channel type. A field marked `writeOnly` is a secret: entered, never shown
 * back. Pure (no DOM, no requests): the page fetches the document.
 */
type Json = Record<string, unknown>;

/** One field of a channel type's form. */
export interface FieldSpec {
  /** The key in `config` (`smtp.smarthost` for a nested object's field). */
  readonly path: string;
  readonly kind: 'text' | 'secret' | 'boolean' | 'choice' | 'list';
  readonly required: boolean;
  /** `url`, `email`, or undefined. */
  readonly format?: 'url' | 'email' | undefined;
  readonly choices?: readonly string[] | undefined;
  readonly defaultValue?: unknown;
  readonly description?: string | undefined;
}

/** A channel type and its fields. */
export interface ChannelTypeSpec {
  readonly type: string;
  readonly fields: readonly FieldSpec[];
}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema without its `null` alternative, and whether it had one. */
function unwrapNull(schema: Json): [Json, boolean] {
  const anyOf = schema.anyOf;
  if (!Array.isArray(anyOf)) return [schema, false];
  const rest = anyOf.filter((s) => !(isObject(s) && s.type === 'null'));
  if (rest.length === anyOf.length || rest.length !== 1 || !isObject(rest[0]))
    return [schema, false];
  return [
    { ...rest[0], ...(schema.default === undefined ? {} : { default: schema.default }) },
    true,
  ];
}

function fieldsOf(schema: Json, prefix: string, parentRequired: boolean): FieldSpec[] {
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: FieldSpec[] = [];
  for (const [name, raw] of Object.entries(props)) {
    if (name === 'type' || !isObject(raw)) continue;
    const [s, nullable] = unwrapNull(raw);
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const must = parentRequired && required.has(name) && !nullable && raw.default === undefined;
    const base = {
      path,
      required: must,
      defaultValue: raw.default,
      description: typeof s.description === 'string' ? s.description : undefined,
    };
    if (s.writeOnly === true) out.push({ ...base, kind: 'secret' });
    else if (s.type === 'object') out.push(...fieldsOf(s, path, false));
    else if (s.type === 'boolean') out.push({ ...base, kind: 'boolean' });
    else if (Array.isArray(s.enum))
      out.push({ ...base, kind: 'choice', choices: s.enum as string[] });
    else if (s.type === 'array') out.push({ ...base, kind: 'list' });
    else {
      const format = s.format === 'uri' ? 'url' : s.format === 'email' ? 'email' : undefined;
      out.push({ ...base, kind: 'text', format });
    }
  }
  return out;
}

/** The channel types of an OpenAPI document, in its order. */
export function channelTypesOf(doc: unknown): ChannelTypeSpec[] {
  const schemas = isObject(doc) && isObject(doc.components) ? doc.components.schemas : undefined;
  const request = isObject(schemas) ? schemas.NotificationChannelRequestInput : undefined;
  const config =
    isObject(request) && isObject(request.properties) ? request.properties.config : undefined;
  const branches = isObject(config) && Array.isArray(config.oneOf) ? config.oneOf : [];
  const out: ChannelTypeSpec[] = [];
  for (const b of branches) {
    if (!isObject(b) || !isObject(b.properties) || !isObject(b.properties.type)) continue;
    const type = b.properties.type.const;
    if (typeof type === 'string') out.push({ type, fields: fieldsOf(b, '', true) });
  }
  return out;
}

/** The value at a dotted path of a configuration. */
export function valueAt(config: Json, path: string): unknown {
  let v: unknown = config;
  for (const part of path.split('.')) v = isObject(v) ? v[part] : undefined;
  return v;
}

/**
 * A configuration from the form's values (text, by path): empty optional
 * fields are left out (the service fills their defaults), a list is split on
 * commas and new lines, a nested object is sent when one of its text fields
 * is filled in.
 */
export function configOf(
  spec: ChannelTypeSpec,
  values: Readonly<Record<string, string | boolean>>,
): Json {
  const config: Json = { type: spec.type };
  const fieldValue = (f: FieldSpec): unknown => {
    const raw = values[f.path];
    if (f.kind === 'boolean') return raw === undefined ? undefined : raw === true;
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    if (f.kind === 'list') {
      return raw
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
    }
    return f.kind === 'secret' ? raw : raw.trim();
  };
  // A nested object is sent when something was typed into it (a check box alone does not make one).
  const typedInto = new Set(
    spec.fields
      .filter((f) => f.kind !== 'boolean' && f.path.includes('.') && fieldValue(f) !== undefined)
      .map((f) => f.path.slice(0, f.path.lastIndexOf('.'))),
  );
  for (const f of spec.fields) {
    const value = fieldValue(f);
    if (value === undefined) continue;
    const parts = f.path.split('.');
    if (parts.length > 1 && !typedInto.has(parts.slice(0, -1).join('.'))) continue;
    let target = config;
    for (const part of parts.slice(0, -1)) {
      const next = isObject(target[part]) ? (target[part] as Json) : {};
      target[part] = next;
      target = next;
    }
    target[parts.at(-1) as string] = value;
  }
  return config;
}
