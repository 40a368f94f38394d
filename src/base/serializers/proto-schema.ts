import type { AnyModel } from '../types/model.js';
import { toSnakeCase } from '../utils/case.js';
import committedLock from './proto-fields.lock.json' with { type: 'json' };
import { modelWireType, type ObjectWire, unwrapWire, type WireType } from './wire-type.js';

/**
 * Field and enum-value numbers of every generated message, by name relative
 * to the package (`Alert`, `Alert.Config.Slack`, enum `Alert.Level`).
 * Numbers in the lock are never changed or reused: a new field takes the
 * next number, a removed one becomes `reserved`.
 */
export interface ProtoLock {
  readonly package: string;
  readonly messages: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The committed lock (`proto-fields.lock.json`). */
export const PROTO_LOCK: ProtoLock = committedLock;

/** The protobuf package of generated messages. */
export const PROTO_PACKAGE = 'alertbase.v1';

/** @internal How one value is represented in protobuf. */
export type ProtoRepr =
  | { readonly k: 'string' }
  | { readonly k: 'bigint' }
  | { readonly k: 'int64' }
  | { readonly k: 'double' }
  | { readonly k: 'bool' }
  | { readonly k: 'timestamp' }
  | { readonly k: 'value' }
  | { readonly k: 'enum'; readonly en: ProtoEnum }
  | { readonly k: 'message'; readonly msg: ProtoMessage }
  | {
      readonly k: 'variant';
      readonly msg: ProtoMessage;
      readonly discriminator: string;
      /** Tag → oneof member field of `msg`. */
      readonly options: ReadonlyMap<string, ProtoField>;
    };

/** @internal A generated field. */
export interface ProtoField {
  readonly protoName: string;
  readonly number: number;
  /** The key of the value in the model's data. */
  readonly key: string;
  readonly label: 'optional' | 'repeated' | 'map' | 'oneof';
  readonly repr: ProtoRepr;
  /** Absent means null. */
  readonly nullable: boolean;
  /** Absent means absent. */
  readonly optional: boolean;
  /** The WireType is a JS Set (`repeated`) or Map (`map`). */
  readonly collection?: 'set' | 'map';
}

/** @internal A generated enum. */
export interface ProtoEnum {
  readonly name: string;
  readonly path: string;
  readonly prefix: string;
  readonly numbers: ReadonlyMap<string, number>;
  readonly values: ReadonlyMap<number, string>;
  /** Identifier of each value, in number order. */
  readonly identifiers: readonly (readonly [string, number])[];
}

/** @internal A generated message. */
export interface ProtoMessage {
  readonly name: string;
  readonly path: string;
  readonly fields: readonly ProtoField[];
  readonly nested: readonly ProtoMessage[];
  readonly enums: readonly ProtoEnum[];
  /** Name of the oneof holding every field (variant wrappers). */
  readonly oneof?: string;
  readonly reserved: readonly number[];
  readonly reservedNames: readonly string[];
}

const pascal = (s: string): string =>
  toSnakeCase(s)
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p[0]?.toUpperCase() + p.slice(1))
    .join('') || 'X';
const upperSnake = (s: string): string =>
  toSnakeCase(s)
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
const protoIdent = (s: string): string => {
  const id = toSnakeCase(s).replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `f_${id}`;
};

/** Assigns numbers from the lock, then the next free ones; records the result. */
class Numbering {
  readonly messages: Record<string, Record<string, number>> = {};
  readonly enums: Record<string, Record<string, number>> = {};
  constructor(private readonly lock: ProtoLock) {}

  private assign(
    locked: Readonly<Record<string, number>> | undefined,
    out: Record<string, number>,
    names: readonly string[],
    floor: number,
  ): { numbers: Map<string, number>; reserved: number[]; reservedNames: string[] } {
    const previous = locked ?? {};
    Object.assign(out, previous);
    let next = Math.max(floor, ...Object.values(previous)) + 1;
    const numbers = new Map<string, number>();
    for (const name of names) {
      let n = Object.hasOwn(previous, name) ? previous[name] : undefined;
      if (n === undefined) {
        // Protobuf reserves 19000-19999 for itself.
        if (next >= 19_000 && next <= 19_999) next = 20_000;
        n = next++;
        out[name] = n;
      }
      numbers.set(name, n);
    }
    const used = new Set(names);
    const gone = Object.entries(previous).filter(([name]) => !used.has(name));
    return {
      numbers,
      reserved: gone.map(([, n]) => n).sort((a, b) => a - b),
      reservedNames: gone.map(([name]) => name).sort(),
    };
  }

  message(path: string, names: readonly string[]) {
    this.messages[path] = {};
    return this.assign(this.lock.messages[path], this.messages[path], names, 0);
  }

  enumeration(path: string, values: readonly string[]) {
    this.enums[path] = {};
    return this.assign(this.lock.enums[path], this.enums[path], values, 0);
  }
}

interface Draft {
  readonly protoName: string;
  readonly key: string;
  readonly type: WireType;
}

class Planner {
  constructor(private readonly numbering: Numbering) {}

  object(
    name: string,
    path: string,
    type: ObjectWire,
    topLevel: boolean,
    omit?: string,
  ): ProtoMessage {
    const drafts: Draft[] = type.fields
      .filter((f) => f.name !== omit)
      .map((f) => ({
        protoName: protoIdent(topLevel ? f.wire : f.name),
        key: topLevel ? f.wire : f.name,
        type: f.type,
      }));
    return this.build(name, path, drafts, undefined);
  }

  private build(
    name: string,
    path: string,
    drafts: readonly Draft[],
    oneof: string | undefined,
  ): ProtoMessage {
    const { numbers, reserved, reservedNames } = this.numbering.message(
      path,
      drafts.map((d) => d.protoName),
    );
    const nested: ProtoMessage[] = [];
    const enums: ProtoEnum[] = [];
    const fields = drafts.map((d): ProtoField => {
      const { inner, nullable, optional } = unwrapWire(d.type);
      const scope = { path, nested, enums, base: pascal(d.key) };
      const number = numbers.get(d.protoName) as number;
      const base = { protoName: d.protoName, number, key: d.key, nullable, optional };
      const label = oneof === undefined ? ('optional' as const) : ('oneof' as const);
      if (inner.kind === 'array' || inner.kind === 'set') {
        const element = this.element(inner.element, scope);
        if (element !== undefined && !nullable && oneof === undefined) {
          return {
            ...base,
            label: 'repeated',
            repr: element,
            ...(inner.kind === 'set' ? { collection: 'set' as const } : {}),
          };
        }
        return { ...base, label, repr: { k: 'value' } };
      }
      if (inner.kind === 'record' || inner.kind === 'map') {
        const element = this.element(inner.value, scope);
        if (element !== undefined && !nullable && oneof === undefined) {
          return {
            ...base,
            label: 'map',
            repr: element,
            ...(inner.kind === 'map' ? { collection: 'map' as const } : {}),
          };
        }
        return { ...base, label, repr: { k: 'value' } };
      }
      return { ...base, label, repr: this.element(d.type, scope, true) ?? { k: 'value' } };
    });
    return {
      name,
      path,
      fields,
      nested,
      enums,
      ...(oneof === undefined ? {} : { oneof }),
      reserved,
      reservedNames,
    };
  }

  /** The representation of a singular value, or undefined when only `Value` fits. */
  private element(
    type: WireType,
    scope: { path: string; nested: ProtoMessage[]; enums: ProtoEnum[]; base: string },
    singular = false,
  ): ProtoRepr | undefined {
    const { inner, nullable, optional } = unwrapWire(type);
    // A repeated element or map value cannot be absent: null needs Value.
    if (!singular && (nullable || optional)) return undefined;
    switch (inner.kind) {
      case 'string':
      case 'secret':
        return { k: 'string' };
      case 'bigint':
        return { k: 'bigint' };
      case 'number':
        return { k: inner.int ? 'int64' : 'double' };
      case 'boolean':
        return { k: 'bool' };
      case 'date':
        return { k: 'timestamp' };
      case 'literal':
        return typeof inner.value === 'string'
          ? { k: 'string' }
          : typeof inner.value === 'number'
            ? { k: 'double' }
            : { k: 'bool' };
      case 'enum':
        return this.enumeration(inner.values, scope);
      case 'object': {
        const msg = this.object(scope.base, `${scope.path}.${scope.base}`, inner, false);
        scope.nested.push(msg);
        return { k: 'message', msg };
      }
      case 'variant': {
        const path = `${scope.path}.${scope.base}`;
        const drafts: Draft[] = inner.options.map((o) => ({
          protoName: protoIdent(o.tag),
          key: o.tag,
          type: o.type,
        }));
        const msg = this.build(scope.base, path, drafts, 'value');
        // Each option's message omits the discriminator: the oneof member says it.
        const optionMessages = inner.options.map((o) =>
          this.object(
            pascal(o.tag),
            `${path}.${pascal(o.tag)}`,
            o.type,
            false,
            inner.discriminator,
          ),
        );
        const fields = msg.fields.map((f, i) => ({
          ...f,
          repr: { k: 'message' as const, msg: optionMessages[i] as ProtoMessage },
        }));
        const wrapper: ProtoMessage = { ...msg, fields, nested: optionMessages, enums: [] };
        scope.nested.push(wrapper);
        return {
          k: 'variant',
          msg: wrapper,
          discriminator: inner.discriminator,
          options: new Map(fields.map((f) => [f.key, f])),
        };
      }
      case 'json':
        return { k: 'value' };
      default:
        // Nested collections and nullable elements have no protobuf form but Value.
        return undefined;
    }
  }

  private enumeration(
    values: readonly string[],
    scope: { path: string; enums: ProtoEnum[]; base: string },
  ): ProtoRepr {
    const prefix = upperSnake(scope.base);
    const idents = values.map((v) => `${prefix}_${upperSnake(v) || 'EMPTY'}`);
    if (new Set(idents).size !== idents.length || idents.includes(`${prefix}_UNSPECIFIED`)) {
      return { k: 'string' };
    }
    const path = `${scope.path}.${scope.base}`;
    const { numbers } = this.numbering.enumeration(path, values);
    const en: ProtoEnum = {
      name: scope.base,
      path,
      prefix,
      numbers,
      values: new Map([...numbers].map(([v, n]) => [n, v])),
      identifiers: values
        .map((v, i) => [idents[i] as string, numbers.get(v) as number] as const)
        .sort((a, b) => a[1] - b[1]),
    };
    scope.enums.push(en);
    return { k: 'enum', en };
  }
}

/** @internal The message plan of one model (cached per lock). */
export function planModel(
  model: AnyModel,
  lock: ProtoLock = PROTO_LOCK,
): { message: ProtoMessage; lock: ProtoLock } {
  const numbering = new Numbering(lock);
  const message = new Planner(numbering).object(model.name, model.name, modelWireType(model), true);
  return {
    message,
    lock: { package: PROTO_PACKAGE, messages: numbering.messages, enums: numbering.enums },
  };
}

const SCALAR: Readonly<Record<string, string>> = {
  string: 'string',
  bigint: 'string',
  int64: 'int64',
  double: 'double',
  bool: 'bool',
  timestamp: 'google.protobuf.Timestamp',
  value: 'google.protobuf.Value',
};

function typeName(repr: ProtoRepr): string {
  switch (repr.k) {
    case 'enum':
      return repr.en.name;
    case 'message':
    case 'variant':
      return repr.msg.name;
    default:
      return SCALAR[repr.k] as string;
  }
}

function printMessage(msg: ProtoMessage, indent: string, uses: Set<string>): string {
  const lines: string[] = [`${indent}message ${msg.name} {`];
  const inner = `${indent}  `;
  if (msg.reserved.length > 0) {
    lines.push(`${inner}reserved ${msg.reserved.join(', ')};`);
    lines.push(`${inner}reserved ${msg.reservedNames.map((n) => `"${n}"`).join(', ')};`);
  }
  for (const en of msg.enums) {
    lines.push(`${inner}enum ${en.name} {`);
    lines.push(`${inner}  ${en.prefix}_UNSPECIFIED = 0;`);
    for (const [ident, n] of en.identifiers) lines.push(`${inner}  ${ident} = ${n};`);
    lines.push(`${inner}}`);
  }
  for (const nested of msg.nested) lines.push(printMessage(nested, inner, uses));
  const field = (f: ProtoField, pad: string): string => {
    const t = typeName(f.repr);
    if (t === 'google.protobuf.Timestamp') uses.add('timestamp');
    if (t === 'google.protobuf.Value') uses.add('struct');
    if (f.label === 'map') return `${pad}map<string, ${t}> ${f.protoName} = ${f.number};`;
    const label = f.label === 'repeated' ? 'repeated ' : f.label === 'optional' ? 'optional ' : '';
    return `${pad}${label}${t} ${f.protoName} = ${f.number};`;
  };
  if (msg.oneof !== undefined) {
    lines.push(`${inner}oneof ${msg.oneof} {`);
    for (const f of msg.fields) lines.push(field(f, `${inner}  `));
    lines.push(`${inner}}`);
  } else {
    for (const f of msg.fields) lines.push(field(f, inner));
  }
  lines.push(`${indent}}`);
  return lines.join('\n');
}

/** Options of {@link generateProto}. */
export interface GenerateProtoOptions {
  /** The lock to number fields from (default: the committed lock). */
  readonly lock?: ProtoLock;
}

/** Result of {@link generateProto}. */
export interface GeneratedProto {
  /** The `.proto` file (proto3). */
  readonly proto: string;
  /** The lock after generation: the input lock plus any new numbers. */
  readonly lock: ProtoLock;
}

/**
 * Generates one proto3 file with a message per model (package
 * `alertbase.v1`): nested messages for nested objects, a `oneof` per
 * discriminated union, enums for enumerations, `google.protobuf.Timestamp`
 * for dates, `google.protobuf.Value` where only JSON fits. Every singular
 * field is `optional` (explicit presence): absent means null for a
 * nullable field and "use the default" otherwise.
 *
 * Field numbers come from `lock`; new fields get new numbers and the
 * returned lock records them, so regenerate and commit it.
 *
 * @example
 * ```ts
 * const { proto } = generateProto([Alert, AlertRule]);
 * ```
 */
export function generateProto(
  models: readonly AnyModel[],
  options: GenerateProtoOptions = {},
): GeneratedProto {
  const lock = options.lock ?? PROTO_LOCK;
  const uses = new Set<string>();
  const messages: Record<string, Record<string, number>> = {};
  const enums: Record<string, Record<string, number>> = {};
  const bodies: string[] = [];
  for (const model of [...models].sort((a, b) => a.name.localeCompare(b.name))) {
    const plan = planModel(model, lock);
    Object.assign(messages, plan.lock.messages);
    Object.assign(enums, plan.lock.enums);
    bodies.push(printMessage(plan.message, '', uses));
  }
  const imports = [...uses].sort().map((u) => `import "google/protobuf/${u}.proto";`);
  const header = [
    '// Generated by alertbase from its models. Do not edit: regenerate.',
    '// Field numbers are kept in proto-fields.lock.json and never reused.',
    'syntax = "proto3";',
    '',
    `package ${PROTO_PACKAGE};`,
    '',
    ...imports,
    ...(imports.length > 0 ? [''] : []),
  ];
  const merged: ProtoLock = {
    package: PROTO_PACKAGE,
    messages: sortKeys({ ...lock.messages, ...messages }),
    enums: sortKeys({ ...lock.enums, ...enums }),
  };
  return { proto: `${header.join('\n')}\n${bodies.join('\n\n')}\n`, lock: merged };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
