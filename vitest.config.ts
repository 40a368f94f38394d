import { defineConfig } from 'vitest/config';

// alertbase supports Node 22 and 24 (vitest 5 needs 22.12+). A machine whose own Node is
// still 20 can run single test files, but vitest's reporter calls Map.groupBy (Node 21+)
// when a test fails and that crash would hide the failure: supply it for the runner only.
const mapWithGroupBy = Map as MapConstructor & {
  groupBy?: <K, T>(items: Iterable<T>, key: (item: T, index: number) => K) => Map<K, T[]>;
};
mapWithGroupBy.groupBy ??= <K, T>(items: Iterable<T>, key: (item: T, index: number) => K) => {
  const groups = new Map<K, T[]>();
  let index = 0;
  for (const item of items) {
    const k = key(item, index++);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
};

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    typecheck: { enabled: false },
    // Stray console output hides real failures; tests that print on purpose spy on console.
    onConsoleLog: () => false,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // pglite-thread.ts runs in the worker thread it starts, which the coverage of the
      // test process does not see; the engine contract and every served test run it.
      exclude: [
        'src/**/*.test.ts',
        'src/**/index.ts',
        'src/cli/main.ts',
        'src/storage/drivers/pglite-thread.ts',
      ],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 95 },
    },
  },
});
