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
 *   Protobuf raw: protobufjs on ready-made messages of the same generated
 *   type, `toObject` on decode (no conversion from or to the model).
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
  // Ready-made protobufjs messages: the raw path gets its conversion for free.
  const ours = U.encodeMany(alerts, 'protobuf', { model: Alert });
  const reader = protobuf.Reader.create(ours);
  const messages: protobuf.Message[] = [];
  while (reader.pos < reader.len) messages.push(type.decodeDelimited(reader));
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
        for (const m of messages) type.encodeDelimited(m, w);
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
