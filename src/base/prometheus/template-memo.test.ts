import { describe, expect, it } from 'vitest';
import { parseGoTemplate } from './go-template.js';
import { checkPrometheusTemplate } from './template-memo.js';

describe('checkPrometheusTemplate', () => {
  it("gives parseGoTemplate's verdict, the same object for a template seen again", () => {
    const texts = ['{{ $value | humanize }}', '{{ humanise $value }}', '{{ bad', 'plain'];
    for (const text of texts) {
      const first = checkPrometheusTemplate(text);
      expect(first).toEqual(parseGoTemplate(text));
      expect(checkPrometheusTemplate(text)).toBe(first);
    }
  });

  it('stays bounded: the oldest verdicts are dropped, long templates are not kept', () => {
    const first = checkPrometheusTemplate('{{ .first }}');
    for (let i = 0; i < 2_100; i++) checkPrometheusTemplate(`{{ $labels.l${i} }}`);
    expect(checkPrometheusTemplate('{{ .first }}')).not.toBe(first);
    const long = `{{ $value }}${'x'.repeat(5_000)}`;
    expect(checkPrometheusTemplate(long)).not.toBe(checkPrometheusTemplate(long));
    expect(checkPrometheusTemplate(long)).toEqual({ ok: true });
  });
});
