/**
 * Serialization of 1,000 alerts in every format, against the raw library in
 * the same run: encode and decode throughput (alerts per second) and size.
 *
 * - ours: `UniversalSerializer.encodeMany(alerts, format, { model: Alert })`
 *   and `decodeMany(bytes, format, Alert)`: validated, exact instances out,
 *   every decoder hardened (limits, prototype keys, DOCTYPE, ...).
 * - raw: what a user writes with the library alone: `Alert.dump(a, { mode:
 *   'json', byAlias: true })` then the library's encoder; the library's
 *   decoder then `Alert.safeParse` of each record (raw XML and protobuf give
 *   values the model may refuse: the raw path is not exact, ours is).
 *   Protobuf raw: protobufjs with the same generated type; encode builds
 *   each message from the instance as a user writes it (`type.fromObject` of
 *   the fields under their proto names, dates as `{ seconds, nanos }`, enums
 *   by name), inside the timed path as ours does; `toObject` on decode.
 */

import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { Packr, Unpackr } from 'msgpackr';
import protobuf from 'protobufjs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  type Format,
  protoTypeOf,
  UniversalSerializer as U,
} from '../src/base/serializers/index.js';
import { Alert } from '../src/domain/index.js';
import { type BenchRow, benchRow, measureThroughput } from './lib.js';

const SUITE = 'serialization';
const COUNT = 1_000;

function makeAlerts(): Alert[] {
  const levels = ['critical', 'high', 'medium', 'low', 'info'] as const;
  return Array.from({ length: COUNT }, (_, i) =>
    Alert.parse({
      tenantId: 'acme',
      labels: {
        alertname: i % 3 === 0 ? 'HighCPUUsage' : 'DiskFull',
        instance: `web-${i % 50}:9100`,
        severity: i % 2 === 0 ? 'warning' : 'critical',
        job: 'node',
      },
      annotations: { summary: `Alert number ${i} on web-${i % 50}` },
      level: levels[i % levels.length],
      priority: `P${(i % 5) + 1}`,
      startsAt: new Date(Date.UTC(2026, 10, 28, 6, 0, 0, i)),
      endsAt: i % 4 === 0 ? new Date(Date.UTC(2026, 10, 28, 7, 0, 0, i)) : null,
      generatorURL: 'http://prometheus.example.com/graph?g0.expr=cpu_usage+%3E+80',
      value: i * 1.5,
      duplicateCount: i % 7,
    }),
  );
}

interface Raw {
  readonly name: string;
  encode(): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

function rawCodecs(alerts: readonly Alert[]): Record<Format, Raw> {
  // The dump is part of the raw path: a user has instances, as we do.
  const dump = () =>
    alerts.map((a) => Alert.dump(a, { mode: 'json', byAlias: true, computed: false }));
  const validate = (records: unknown): unknown =>
    (records as unknown[]).map((r) => Alert.safeParse(r));
  const builder = new XMLBuilder({ ignoreAttributes: false });
  const xmlParser = new XMLParser({ ignoreAttributes: false });
  const packr = new Packr({ useRecords: false });
  const unpackr = new Unpackr({ useRecords: false });
  const type = protoTypeOf(Alert);
  // What a protobufjs user writes to send an instance: its fields under the
  // proto names, dates as google.protobuf.Timestamp, enums by value name.
  const ts = (d: Date | null) => {
    if (d === null) return undefined;
    const ms = d.getTime();
    const seconds = Math.floor(ms / 1000);
    return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
  };
  const name = (prefix: string, value: string | null) =>
    value === null ? undefined : `${prefix}_${value.toUpperCase()}`;
  const messageOf = (a: Alert): protobuf.Message =>
    type.fromObject({
      id: a.id,
      rule_id: a.ruleId ?? undefined,
      labels: a.labels,
      annotations: a.annotations,
      level: name('LEVEL', a.level),
      priority: name('PRIORITY', a.priority),
      status: name('STATUS', a.status),
      previous_status: name('PREVIOUS_STATUS', a.previousStatus),
      silenced_by: a.silencedBy,
      starts_at: ts(a.startsAt),
      ends_at: ts(a.endsAt),
      generator_url: a.generatorURL ?? undefined,
      value: a.value ?? undefined,
      duplicate_count: a.duplicateCount,
      last_received_at: ts(a.lastReceivedAt),
      acknowledged_by: a.acknowledgedBy ?? undefined,
      acknowledged_at: ts(a.acknowledgedAt),
      tenant_id: a.tenantId,
      created_at: ts(a.createdAt),
      updated_at: ts(a.updatedAt),
      version: a.version,
    });
  return {
    json: {
      name: 'JSON.stringify/parse',
      encode: () => Buffer.from(JSON.stringify(dump())),
      decode: (b) => validate(JSON.parse(Buffer.from(b).toString('utf8'))),
    },
    yaml: {
      name: 'yaml',
      encode: () => Buffer.from(stringifyYaml(dump())),
      decode: (b) => validate(parseYaml(Buffer.from(b).toString('utf8'))),
    },
    xml: {
      name: 'fast-xml-parser',
      encode: () => Buffer.from(builder.build({ AlertList: { Alert: dump() } }) as string),
      decode: (b) => {
        const doc = xmlParser.parse(Buffer.from(b).toString('utf8')) as {
          AlertList: { Alert: unknown[] };
        };
        return validate(doc.AlertList.Alert);
      },
    },
    protobuf: {
      name: 'protobufjs',
      encode: () => {
        const w = protobuf.Writer.create();
        for (const a of alerts) type.encodeDelimited(messageOf(a), w);
        return w.finish();
      },
      decode: (b) => {
        const r = protobuf.Reader.create(b);
        const out: unknown[] = [];
        while (r.pos < r.len)
          out.push(type.toObject(type.decodeDelimited(r), { longs: Number, enums: String }));
        return validate(out);
      },
    },
    msgpack: {
      name: 'msgpackr',
      encode: () => packr.pack(dump()),
      decode: (b) => validate(unpackr.unpack(b)),
    },
  };
}

/** Runs the suite: 3 rows per format (encode, decode, size). */
export async function run(): Promise<BenchRow[]> {
  const alerts = makeAlerts();
  const raws = rawCodecs(alerts);
  const rows: BenchRow[] = [];
  for (const format of ['json', 'yaml', 'xml', 'protobuf', 'msgpack'] as const) {
    const raw = raws[format];
    const ourBytes = U.encodeMany(alerts, format, { model: Alert });
    const rawBytes = raw.encode();
    // Same messages, same bytes: the raw protobuf path does all the work ours does.
    if (format === 'protobuf' && !Buffer.from(ourBytes).equals(Buffer.from(rawBytes))) {
      throw new Error('the raw protobuf encoding differs from ours');
    }
    const enc = measureThroughput({
      ours: () => U.encodeMany(alerts, format, { model: Alert }),
      raw: () => raw.encode(),
    });
    const dec = measureThroughput({
      ours: () => U.decodeMany(ourBytes, format, Alert),
      raw: () => raw.decode(rawBytes),
    });
    const common = { suite: SUITE, baselineName: raw.name };
    rows.push(
      benchRow({
        ...common,
        case: `encode ${format}, 1,000 alerts`,
        unit: 'items/s',
        ours: enc.ours.opsPerSec * COUNT,
        baseline: enc.raw.opsPerSec * COUNT,
      }),
      benchRow({
        ...common,
        case: `decode ${format} + validate, 1,000 alerts${format === 'xml' || format === 'protobuf' ? ' (raw is not exact)' : ''}`,
        unit: 'items/s',
        ours: dec.ours.opsPerSec * COUNT,
        baseline: dec.raw.opsPerSec * COUNT,
      }),
      benchRow({
        ...common,
        case: `size ${format}, 1,000 alerts`,
        unit: 'bytes',
        ours: ourBytes.byteLength,
        baseline: rawBytes.byteLength,
      }),
    );
  }
  return rows;
}
