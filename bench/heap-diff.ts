/**
 * `npx tsx bench/heap-diff.ts before.heapsnapshot after.heapsnapshot [--top N]`:
 * what grew between two V8 heap snapshots (as written by `npm run reliability
 * -- --heap-snapshots DIR`), grouped by constructor (objects) or node type
 * (strings, arrays, closures, code…): count and self size, largest growth
 * first. Self size only: what a group retains through others is not counted.
 */
import { readFile } from 'node:fs/promises';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per group of one snapshot. */
export function groupsOf(snapshot: Snapshot): Map<string, { count: number; bytes: number }> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt] ?? 0] ?? '?';
    const name =
      type === 'object' ? (snapshot.strings[snapshot.nodes[i + nameAt] ?? 0] ?? '?') : '';
    const key = name === '' ? `(${type})` : name;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += snapshot.nodes[i + sizeAt] ?? 0;
    groups.set(key, group);
  }
  return groups;
}

/** Groups by growth in bytes, largest first. */
export function diff(
  before: Map<string, { count: number; bytes: number }>,
  after: Map<string, { count: number; bytes: number }>,
): { group: string; count: number; bytes: number }[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .map((group) => ({
      group,
      count: (after.get(group)?.count ?? 0) - (before.get(group)?.count ?? 0),
      bytes: (after.get(group)?.bytes ?? 0) - (before.get(group)?.bytes ?? 0),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

if (process.argv[1]?.endsWith('heap-diff.ts')) {
  const [beforeFile, afterFile] = process.argv.slice(2);
  if (beforeFile === undefined || afterFile === undefined) {
    process.stderr.write('usage: heap-diff.ts before.heapsnapshot after.heapsnapshot [--top N]\n');
    process.exit(2);
  }
  const topAt = process.argv.indexOf('--top');
  const top = topAt === -1 ? 25 : Number(process.argv[topAt + 1]);
  const read = async (file: string) =>
    groupsOf(JSON.parse(await readFile(file, 'utf8')) as Snapshot);
  const rows = diff(await read(beforeFile), await read(afterFile)).slice(0, top);
  process.stdout.write('| group | count Δ | self size Δ (KiB) |\n| --- | --: | --: |\n');
  for (const row of rows) {
    process.stdout.write(`| ${row.group} | ${row.count} | ${Math.round(row.bytes / 1024)} |\n`);
  }
}
