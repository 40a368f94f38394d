import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getModelCompilation, setModelCompilation } from './compiler/settings.js';
import { defineModel } from './model.js';
import { parseModelData } from './model-data.js';

const initial = getModelCompilation();
afterEach(() => setModelCompilation(initial));

const Toy = defineModel('ModelDataToy', {
  register: false,
  fields: {
    name: z.string().min(2),
    startsAt: z.iso.datetime().transform((s) => new Date(s)),
    count: z.int().min(0).default(0),
  },
  aliases: { startsAt: 'starts_at' },
  computed: { double: (d) => d.count * 2 },
});

describe('parseModelData', () => {
  for (const mode of ['lazy', 'off'] as const) {
    it(`gives Model.schema's data, unfrozen (compilation ${mode})`, () => {
      setModelCompilation(mode);
      const input = { name: 'ok', startsAt: '2026-01-01T00:00:00Z' };
      const data = parseModelData(Toy, input);
      const expected = Toy.schema.safeParse(input);
      expect(expected.success).toBe(true);
      expect(data).toBeDefined();
      expect(Object.keys(data ?? {})).toEqual(['name', 'startsAt', 'count']);
      expect({ ...data }).toEqual(expected.data);
      expect(Object.isFrozen(data)).toBe(false);
      expect(Toy.is(data)).toBe(false);
    });

    it(`refuses what Model.schema refuses: bad values, wire names, computed keys (compilation ${mode})`, () => {
      setModelCompilation(mode);
      expect(parseModelData(Toy, { name: 'x', startsAt: '2026-01-01T00:00:00Z' })).toBeUndefined();
      expect(
        parseModelData(Toy, { name: 'ok', starts_at: '2026-01-01T00:00:00Z' }),
      ).toBeUndefined();
      expect(
        parseModelData(Toy, { name: 'ok', startsAt: '2026-01-01T00:00:00Z', double: 0 }),
      ).toBeUndefined();
    });
  }

  it('refuses what is not a model', () => {
    expect(() => parseModelData({}, {})).toThrow(TypeError);
  });
});
