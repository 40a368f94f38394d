import { describe, expect, it } from 'vitest';
import {
  alertDescription,
  alertSummary,
  escapeHtml,
  formatLabels,
  notificationHtml,
  notificationText,
  notificationTitle,
  truncate,
} from './templates.js';
import type { NotificationMessage, NotifiedAlert } from './types.js';

const alert = (over: Partial<NotifiedAlert> = {}): NotifiedAlert => ({
  status: 'firing',
  labels: { alertname: 'DiskFull', instance: 'db-1' },
  annotations: { summary: 'Disk is full', description: 'Only 1% left' },
  startsAt: '2026-11-28T06:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://p/graph',
  fingerprint: 'ffffffffffffffff',
  ...over,
});

const message = (over: Partial<NotificationMessage> = {}): NotificationMessage => ({
  id: 'n',
  tenantId: 't',
  receiver: 'r',
  action: 'notify',
  status: 'firing',
  groupKey: '{}',
  groupLabels: { alertname: 'DiskFull' },
  commonLabels: { alertname: 'DiskFull', team: 'db', env: 'prod' },
  commonAnnotations: {},
  externalURL: 'https://alertbase.example.com',
  truncatedAlerts: 0,
  alerts: [alert(), alert({ status: 'resolved' })],
  ...over,
});

describe('notificationTitle: as Alertmanager’s default subject', () => {
  it('counts firing alerts; other common label values in parentheses, sorted by name', () => {
    expect(notificationTitle(message())).toBe('[FIRING:1] DiskFull (prod db)');
    expect(notificationTitle(message({ status: 'resolved' }))).toBe(
      '[RESOLVED] DiskFull (prod db)',
    );
    expect(notificationTitle(message({ action: 'acknowledge' }))).toBe(
      '[ACKNOWLEDGED] DiskFull (prod db)',
    );
    expect(notificationTitle(message({ groupLabels: {}, commonLabels: {} }))).toBe('[FIRING:1]');
  });
});

describe('alert text', () => {
  it('summary falls back to description, alertname, fingerprint', () => {
    expect(alertSummary(alert())).toBe('Disk is full');
    expect(alertSummary(alert({ annotations: { description: 'D' } }))).toBe('D');
    expect(alertSummary(alert({ annotations: {} }))).toBe('DiskFull');
    expect(alertSummary(alert({ annotations: {}, labels: {} }))).toBe('ffffffffffffffff');
    expect(alertDescription(alert())).toBe('Only 1% left');
    // A description that is already the summary is not repeated.
    expect(alertDescription(alert({ annotations: { description: 'D' } }))).toBe('');
    expect(formatLabels({ b: '2', a: 'x"y' })).toBe('a="x\\"y", b="2"');
  });

  it('the text lists each alert, the count left out, and the link', () => {
    const text = notificationText(message({ truncatedAlerts: 4 }));
    expect(text.split('\n')).toEqual([
      '[FIRING:1] DiskFull (prod db)',
      '',
      '[FIRING] Disk is full',
      '  Only 1% left',
      '  Labels: alertname="DiskFull", instance="db-1"',
      '  Since: 2026-11-28T06:00:00Z',
      '  Source: http://p/graph',
      '',
      '[RESOLVED] Disk is full',
      '  Only 1% left',
      '  Labels: alertname="DiskFull", instance="db-1"',
      '  Since: 2026-11-28T06:00:00Z',
      '  Source: http://p/graph',
      '',
      '… and 4 more alerts',
      '',
      'alertbase: https://alertbase.example.com',
    ]);
    expect(
      notificationText(message({ externalURL: '', alerts: [alert({ generatorURL: '' })] })),
    ).not.toMatch(/Source|alertbase:/);
  });

  it('the HTML escapes everything it is given', () => {
    const html = notificationHtml(
      message({
        alerts: [
          alert({
            annotations: { summary: '<script>alert(1)</script>' },
            generatorURL: 'http://p/?a="b"',
          }),
        ],
        truncatedAlerts: 2,
      }),
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('href="http://p/?a=&quot;b&quot;"');
    expect(html).toContain('… and 2 more alerts');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    const bare = notificationHtml(
      message({ externalURL: '', alerts: [alert({ generatorURL: '' })] }),
    );
    expect(bare).not.toContain('href');
  });

  it('truncate cuts with an ellipsis within the limit', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 4)).toHaveLength(4);
  });
});
