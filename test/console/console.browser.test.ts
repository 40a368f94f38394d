/**
 * The web console in a real browser: Debian's `chromium` driven by
 * playwright-core (it never downloads a browser). Logs in with a key, sees
 * an alert arrive live over `GET /v1/events`, acknowledges it, silences
 * another from the list, edits a rule and sees the PromQL error underlined,
 * fixes and saves it; checks every page with axe-core, renders hostile
 * labels as text, and holds to the Content-Security-Policy. Each step's
 * effect is asserted through the API too. With ALERTBASE_SCREENSHOTS=1 the
 * pages are photographed into docs/screenshots/.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildConsole } from '../../scripts/build-console.js';
import { describeWithBinary } from '../e2e/helpers.js';
import { call, setup, type TestApp } from '../server/helpers.js';

const SHOTS = process.env.ALERTBASE_SCREENSHOTS === '1';
const shotDir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const axeSource = await readFile(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/** Serious and critical accessibility violations of the page as it is now. */
async function axe(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    'axe.run(document).then((r) => r.violations)',
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

await describeWithBinary('the web console in chromium', 'chromium', (chromiumPath) => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let dir: string;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  const shoot = async (name: string) => {
    if (SHOTS) await page.screenshot({ path: join(shotDir, `${name}.png`) });
  };
  const ingest = async (
    labels: Record<string, string>,
    annotations: Record<string, string> = {},
  ) => {
    const res = await call(t.app, 'POST', '/v1/alerts', {
      key: t.keys.responder,
      body: [{ labels, annotations, level: 'critical', priority: 'P1' }],
    });
    expect(res.status).toBe(200);
    return String((res.body.items as { id: string }[])[0]?.id);
  };
  const alertOf = async (id: string) =>
    (await call(t.app, 'GET', `/v1/alerts/${id}`, { key: t.keys.viewer })).body;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertbase-console-'));
    await buildConsole(dir);
    t = await setup({ eventPollMs: 100, consoleDir: dir });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
    if (SHOTS) await mkdir(shotDir, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('logs in with a key and shows a live alert list', async () => {
    await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/ui/`);
    await shoot('login');
    expect(await axe(page)).toEqual([]);
    await page.getByLabel('API key', { exact: true }).fill('ab_wrong_key');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/.+/);
    await page.getByLabel('API key', { exact: true }).fill(t.keys.editor);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
  });

  it('sees an alert arrive live, rendered as text, and acknowledges it', async () => {
    const id = await ingest(
      { alertname: 'DiskFull', team: 'db', evil: '<img src=x onerror="window.__xss=1">' },
      {
        summary: '<script>window.__xss=2</script> disk 97% full',
        runbook: 'javascript:window.__xss=3',
      },
    );
    const row = page.locator(`li[data-alert-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.summary').textContent()).toBe(
      '<script>window.__xss=2</script> disk 97% full',
    );
    expect(await row.getByText('<img src=x onerror="window.__xss=1">').count()).toBe(1);
    await shoot('alerts');
    expect(await axe(page)).toEqual([]);

    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(async () => (await alertOf(id)).status).toBe('acknowledged');
    expect(String((await alertOf(id)).acknowledged_by)).toMatch(/^key:/);
    await row.locator('.status-acknowledged').waitFor();

    // The alert's page: the javascript: annotation is text, not a link.
    await page.goto(`${base}/ui/#/alerts/${id}`);
    await page.getByRole('heading', { name: 'DiskFull' }).waitFor();
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    await page.getByText('javascript:window.__xss=3').waitFor();
    await page
      .getByText(/acknowledge/)
      .first()
      .waitFor();
    expect(await axe(page)).toEqual([]);
    expect(await page.evaluate('window.__xss')).toBe(undefined);
  });

  it('silences an alert from the list, showing how many open alerts match', async () => {
    await page.goto(`${base}/ui/#/alerts`);
    const id = await ingest({ alertname: 'QueueStuck', queue: 'billing' });
    await ingest({ alertname: 'QueueStuck', queue: 'email' });
    const row = page.locator(`li[data-alert-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.getByRole('button', { name: 'Silence…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Matches 1 open alert.').waitFor();
    // Matching on the alert name alone takes in both.
    await dialog.getByLabel('queue="billing"').uncheck();
    await dialog.getByText('Matches 2 open alerts.').waitFor();
    await dialog.getByLabel('queue="billing"').check();
    await dialog.getByText('Matches 1 open alert.').waitFor();
    expect(await axe(page)).toEqual([]);
    await shoot('silence');
    await dialog.getByLabel('Comment').fill('billing queue drained by hand');
    await dialog.getByRole('button', { name: 'Create silence' }).click();
    await page.getByText('silence created for 1 open alerts').waitFor();
    const silences = await call(t.app, 'GET', '/v1/silences', { key: t.keys.viewer });
    expect(silences.body.items).toHaveLength(1);
    const silence = (silences.body.items as Record<string, unknown>[])[0] as Record<
      string,
      unknown
    >;
    expect(silence.comment).toBe('billing queue drained by hand');
    expect(silence.matchers).toEqual([
      expect.objectContaining({ name: 'alertname', value: 'QueueStuck', isRegex: false }),
      expect.objectContaining({ name: 'queue', value: 'billing', isRegex: false }),
    ]);
    await page.goto(`${base}/ui/#/silences`);
    await page.getByText('billing queue drained by hand').waitFor();
    expect(await axe(page)).toEqual([]);
    await shoot('silences');
  });

  it('edits a rule: the PromQL error is underlined where it is, fixed, saved', async () => {
    const created = await call(t.app, 'POST', '/v1/rules', {
      key: t.keys.editor,
      body: { name: 'ErrorRate', condition: 'up == 0', level: 'high', priority: 'P2' },
    });
    expect(created.status).toBe(201);
    const ruleId = String(created.body.id);
    await page.goto(`${base}/ui/#/rules`);
    await page.getByRole('link', { name: 'ErrorRate' }).click();
    const editor = page.getByRole('textbox', { name: 'Condition (PromQL)' });
    await editor.waitFor();
    await page.getByText('Valid: no findings.').waitFor();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('sum(rate(http_errors_total[5m]) > ');
    const underline = page.locator('.cm-lintRange-error');
    await underline.first().waitFor({ timeout: 10_000 });
    const finding = page.locator('.finding.error').first();
    expect(await finding.textContent()).toMatch(/\/condition.*line 1, column \d+/);
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await shoot('rule-editor');
    expect(await axe(page)).toEqual([]);
    // The verdict is the server's: the same request gives the same finding.
    const verdict = await call(t.app, 'POST', '/v1/rules/validate', {
      key: t.keys.viewer,
      body: {
        name: 'ErrorRate',
        condition: 'sum(rate(http_errors_total[5m]) > ',
        level: 'high',
        priority: 'P2',
      },
    });
    expect(verdict.body.valid).toBe(false);

    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('sum(rate(http_errors_total[5m])) > 1');
    await page.getByText('Valid: no findings.').waitFor();
    expect(await underline.count()).toBe(0);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved ErrorRate \(version 2\)/).waitFor();
    const rule = await call(t.app, 'GET', `/v1/rules/${ruleId}`, { key: t.keys.viewer });
    expect(rule.body.condition).toBe('sum(rate(http_errors_total[5m])) > 1');
  });

  it('shows channels, the audit trail (verified) and keys accessibly', async () => {
    await page.goto(`${base}/ui/#/audit`);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.getByText(/The chain verifies: \d+ events\./).waitFor();
    expect(await axe(page)).toEqual([]);
    await shoot('audit');
    await page.goto(`${base}/ui/#/channels`);
    await page.getByRole('heading', { name: 'Channels' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await page.goto(`${base}/ui/#/keys`);
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await page.goto(`${base}/ui/#/rules`);
    await page.getByRole('heading', { name: 'Rules' }).waitFor();
    expect(await axe(page)).toEqual([]);
    // A Prometheus rule file, imported through the file control (what a drop does too).
    await page.getByLabel(/Import a Prometheus rule file/).setInputFiles({
      name: 'team.rules.yml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(
        'groups:\n  - name: team\n    rules:\n      - alert: DiskAlmostFull\n        expr: node_filesystem_avail_bytes < 1e9\n        for: 10m\n        labels:\n          severity: critical\n',
      ),
    });
    await page.getByText('Imported team.rules.yml: 1 created, 0 updated, 0 rejected.').waitFor();
    await page.getByRole('link', { name: 'DiskAlmostFull' }).waitFor();
    const rules = await call(t.app, 'GET', '/v1/rules?limit=100', { key: t.keys.viewer });
    expect(
      (rules.body.items as { name: string; condition: string }[]).find(
        (r) => r.name === 'DiskAlmostFull',
      )?.condition,
    ).toBe('node_filesystem_avail_bytes < 1e9');
    await shoot('rules');
  });

  it('fits a phone, switches to dark, and is reachable by keyboard', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/ui/#/alerts`);
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(
      true,
    );
    expect(await axe(page)).toEqual([]);
    await shoot('alerts-phone-dark');
    // A page change moves the focus to its heading; from the top, Tab reaches the skip link first.
    expect(await page.evaluate('document.activeElement?.id')).toBe('page-title');
    await page.reload();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Alerts');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Rules' }).waitFor();
    await page.getByLabel('Theme').selectOption('light');
  });

  it('kept to its Content-Security-Policy, without page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
