import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  generateProto,
  PROTO_LOCK,
  type ProtoLock,
  protoTypeOf,
  UniversalSerializer as U,
} from '../../src/base/serializers/index.js';
import { defineModel } from '../../src/base/types/model.js';
import * as domain from '../../src/domain/index.js';

const MODELS = [
  domain.Alert,
  domain.AlertRule,
  domain.ApiKey,
  domain.AuditEvent,
  domain.InhibitRule,
  domain.NotificationChannel,
  domain.RoutingTree,
  domain.Silence,
  domain.Tenant,
];

describe('field numbers', () => {
  it('the committed lock covers every model (regenerate it when this fails)', () => {
    const { lock } = generateProto(MODELS);
    // A difference means a model changed: write `lock` to src/base/serializers/proto-fields.lock.json.
    expect(lock).toEqual(PROTO_LOCK);
  });

  it('adding a field never renumbers another; a removed field is reserved', () => {
    const v1 = defineModel('Evolving', {
      register: false,
      fields: { a: z.string(), b: z.int(), c: z.boolean().nullable().default(null) },
    });
    const first = generateProto([v1], {
      lock: { package: 'alertbase.v1', messages: {}, enums: {} },
    });
    expect(first.lock.messages.Evolving).toEqual({ a: 1, b: 2, c: 3 });
    const v2 = defineModel('Evolving', {
      register: false,
      fields: {
        zNew: z.string().default('n'),
        a: z.string(),
        c: z.boolean().nullable().default(null),
      },
    });
    const second = generateProto([v2], { lock: first.lock });
    expect(second.lock.messages.Evolving).toEqual({ a: 1, b: 2, c: 3, z_new: 4 });
    expect(second.proto).toContain('reserved 2;');
    expect(second.proto).toContain('reserved "b";');
    expect(second.proto).toContain('optional string z_new = 4;');
  });

  it('a message of the previous version decodes under the new one', () => {
    const fields = {
      tenantId: z.string(),
      level: z.enum(['low', 'high']),
      note: z.string().nullable().default(null),
    };
    const v1 = defineModel('Versioned', { register: false, fields });
    const v1Lock = generateProto([v1], {
      lock: { package: 'alertbase.v1', messages: {}, enums: {} },
    }).lock;
    const v2 = defineModel('Versioned', {
      register: false,
      fields: {
        ...fields,
        level: z.enum(['low', 'medium', 'high']),
        owner: z.string().default('nobody'),
        since: z.iso.datetime().nullable().default(null),
      },
    });
    const v2Lock = generateProto([v2], { lock: v1Lock }).lock;
    expect(v2Lock.enums['Versioned.Level']).toEqual({ low: 1, high: 2, medium: 3 });
    const oldType = protoTypeOf(v1, v1Lock);
    const newType = protoTypeOf(v2, v2Lock);
    const bytes = oldType.encode({ tenant_id: 'acme', level: 2, note: 'hi' }).finish();
    const decoded = newType.toObject(newType.decode(bytes));
    expect(decoded).toMatchObject({ tenant_id: 'acme', level: 2, note: 'hi' });
    expect(Object.hasOwn(decoded, 'owner')).toBe(false);
  });

  it('the serializer reads what the previous version wrote, end to end', () => {
    const lock: ProtoLock = generateProto([domain.AlertRule]).lock;
    const rule = domain.AlertRule.parse(domain.AlertRule.examples[0]);
    const bytes = U.encode(rule, 'protobuf', { model: domain.AlertRule });
    expect(protoTypeOf(domain.AlertRule, lock).decode(bytes)).toBeDefined();
    expect(U.decode(bytes, 'protobuf', domain.AlertRule).name).toBe(rule.name);
  });
});

describe('the generated .proto', () => {
  const { proto } = generateProto(MODELS);

  it('is proto3 with a message per model, oneof for unions, Timestamp for dates', () => {
    expect(proto).toContain('syntax = "proto3";');
    expect(proto).toContain('package alertbase.v1;');
    for (const m of MODELS) expect(proto).toContain(`message ${m.name} {`);
    expect(proto).toContain('oneof value {');
    expect(proto).toContain('optional google.protobuf.Timestamp starts_at');
    expect(proto).toContain('map<string, string> labels');
    expect(proto).toContain('map<string, google.protobuf.Value> details');
  });

  // protoc comes from Debian's protobuf-compiler; CI installs it.
  const protoc = spawnSync('protoc', ['--version'], { encoding: 'utf8' });
  const hasProtoc = protoc.status === 0;
  if (!hasProtoc && process.env.CI === 'true') {
    it('protoc is installed in CI', () => {
      throw new Error('protoc is not on PATH: install the protobuf-compiler package');
    });
  } else if (!hasProtoc) {
    process.stderr.write(
      'skipping the protoc tests: protoc is not on PATH (apt-get install protobuf-compiler)\n',
    );
  }

  const dir = mkdtempSync(join(tmpdir(), 'alertbase-proto-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'alertbase.proto'), proto);

  it.runIf(hasProtoc)('compiles with protoc', () => {
    const out = join(dir, 'alertbase.pb');
    execFileSync('protoc', [`-I${dir}`, `--descriptor_set_out=${out}`, 'alertbase.proto'], {
      stdio: 'pipe',
    });
  });

  it.runIf(hasProtoc)('a message we encode decodes with protoc --decode to the same values', () => {
    const alert = domain.Alert.parse({
      ...domain.Alert.examples[0],
      id: '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10',
      startsAt: '2026-11-28T06:00:00.250Z',
      duplicateCount: 3,
      value: 93.5,
      acknowledgedBy: 'ops',
    });
    const bytes = U.encode(alert, 'protobuf', { model: domain.Alert });
    const text = execFileSync(
      'protoc',
      [`-I${dir}`, '--decode=alertbase.v1.Alert', 'alertbase.proto'],
      {
        input: bytes,
        encoding: 'utf8',
      },
    );
    expect(text).toContain('id: "01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10"');
    expect(text).toContain('level: LEVEL_HIGH');
    expect(text).toContain('priority: PRIORITY_P2');
    expect(text).toContain('status: STATUS_FIRING');
    expect(text).toContain('duplicate_count: 3');
    expect(text).toContain('value: 93.5');
    expect(text).toContain('acknowledged_by: "ops"');
    expect(text).toMatch(/starts_at \{\s+seconds: 1795845600\s+nanos: 250000000\s+\}/);
    expect(text).toMatch(/labels \{\s+key: "alertname"\s+value: "HighCPUUsage"\s+\}/);
    expect(text).not.toContain('ends_at');
    // And back: protoc --encode of its own text gives bytes we decode to the same alert.
    const again = execFileSync(
      'protoc',
      [`-I${dir}`, '--encode=alertbase.v1.Alert', 'alertbase.proto'],
      {
        input: text,
      },
    );
    const back = U.decode(new Uint8Array(again), 'protobuf', domain.Alert);
    expect(domain.Alert.dump(back, { computed: false })).toEqual(
      domain.Alert.dump(alert, { computed: false }),
    );
  });
});
