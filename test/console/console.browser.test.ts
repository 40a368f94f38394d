/**
 * The web console in a real browser: Debian's `chromium` driven by
 * playwright-core (it never downloads a browser). Logs in with a key, sees
 * an alert arrive live over `GET /v1/events`, acknowledges it, silences
 * another from the list, edits a rule and sees the PromQL error underlined,
 * fixes and saves it; logs in as a person (e-mail and password) and, in
 * that session, creates a webhook channel against a local listener and sends
 * it a test notification, creates a silence from the Silences page, an
 * inhibition rule and a user; checks every page with axe-core, renders
 * hostile labels as text, and holds to the Content-Security-Policy. Each step's
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
import { loadConfig } from '../../src/config/index.js';
import { TEST_ALERT_NAME } from '../../src/server/channel-test.js';
import { describeWithBinary } from '../e2e/helpers.js';
import { startWebhookReceiver, type WebhookReceiver } from '../e2e/webhook-receiver.js';
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
  let receiver: WebhookReceiver;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  const shoot = async (name: string, fullPage = false) => {
    if (SHOTS) await page.screenshot({ path: join(shotDir, `${name}.png`), fullPage });
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
    // The test notification goes to a listener on loopback.
    const { config } = await loadConfig({
      env: { NOTIFY_ALLOW_PRIVATE_NETWORKS: 'true', NOTIFY_TIMEOUT_SECONDS: '5' },
      cwd: '/nonexistent-alertbase-test',
    });
    receiver = await startWebhookReceiver();
    t = await setup({ eventPollMs: 100, consoleDir: dir, config });
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
    await receiver?.close();
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

  it('logs in as a person with e-mail and password', async () => {
    const person = await call(t.app, 'POST', '/v1/users', {
      key: t.keys.owner,
      body: {
        email: 'ada@acme.example',
        name: 'Ada',
        role: 'admin',
        password: 'correct-horse-battery-42',
      },
    });
    expect(person.status, JSON.stringify(person.body)).toBe(201);
    await page.setViewportSize({ width: 1280, height: 800 });
    // A step that does not happen fails within the test's own timeout, saying which.
    page.setDefaultTimeout(20_000);
    await page.goto(`${base}/ui/#/alerts`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('e-mail and password').check();
    await page.getByLabel('Tenant').fill('acme');
    await page.getByLabel('E-mail', { exact: true }).fill('ada@acme.example');
    await page.getByLabel('Password', { exact: true }).fill('not-her-password-at-all');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/.+/);
    await page.getByLabel('Password', { exact: true }).fill('correct-horse-battery-42');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await page.getByText('ada@acme.example · acme · admin').waitFor();
    // A session token, not a key, is what the tab holds.
    expect(
      await page.evaluate(
        "sessionStorage.getItem('alertbase.credential')?.startsWith('abs_acme_')",
      ),
    ).toBe(true);
    // An admin may manage users: the page is offered.
    await page.getByRole('link', { name: 'Users' }).waitFor();
  }, 90_000);

  it('creates a webhook channel, keeps its secret unseen, and sends it a test notification', async () => {
    await page.goto(`${base}/ui/#/channels`);
    await page.getByRole('link', { name: 'New channel' }).click();
    await page.getByRole('heading', { name: 'New channel' }).waitFor();
    // The form is read from the service's OpenAPI document; a webhook is offered first.
    await expect.poll(() => page.getByLabel('Type').inputValue()).toBe('webhook');
    await page.getByLabel('Name (required)').fill('ops-webhook');
    await page.getByLabel('url (required)').fill(`${receiver.url}/console`);
    await page.getByLabel('bearer token').fill('tok-console-1234');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('heading', { name: 'Channel ops-webhook' }).waitFor();
    const listed = await call(t.app, 'GET', '/v1/channels', { key: t.keys.viewer });
    const stored = (
      listed.body.items as { id: string; name: string; config: Record<string, unknown> }[]
    ).find((c) => c.name === 'ops-webhook');
    expect(stored?.config).toMatchObject({
      type: 'webhook',
      url: `${receiver.url}/console`,
      bearerToken: '**********',
    });
    // The secret is not shown back.
    expect(await page.getByLabel('bearer token').inputValue()).toBe('');
    expect(await page.content()).not.toContain('tok-console-1234');
    await page.getByText('stored, not shown; leave empty to keep').first().waitFor();
    expect(await axe(page)).toEqual([]);

    await page.getByRole('button', { name: 'Send test notification' }).click();
    await page.getByText(/^Delivered: the receiver answered 200 in \d+ ms\.$/).waitFor();
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0] as (typeof receiver.received)[number];
    expect(got.path).toBe('/console');
    expect(got.headers.authorization).toBe('Bearer tok-console-1234');
    expect(
      (got.body as { alerts: { labels: Record<string, string> }[] }).alerts[0]?.labels.alertname,
    ).toBe(TEST_ALERT_NAME);
    await shoot('channel-editor', true);
    const audit = await call(t.app, 'GET', '/v1/audit?action=channel.test', {
      key: t.keys.viewer,
    });
    expect(
      (audit.body.items as { actor: string; result: string }[]).map((e) => [e.actor, e.result]),
    ).toEqual([['user:ada@acme.example', 'success']]);

    // A changed configuration replaces the stored one: the secret must be entered again.
    await page.getByLabel('url (required)').fill(`${receiver.url}/console-2`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Enter bearer token again/).waitFor();
    await page.getByLabel('bearer token').fill('tok-console-5678');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved ops-webhook (version 2).').waitFor();
    await page.getByRole('button', { name: 'Send test notification' }).click();
    await expect.poll(() => receiver.received.length).toBe(2);
    expect(receiver.received[1]?.path).toBe('/console-2');
    expect(receiver.received[1]?.headers.authorization).toBe('Bearer tok-console-5678');

    await page.goto(`${base}/ui/#/channels`);
    await page.getByRole('link', { name: 'ops-webhook' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await shoot('channels', true);
  }, 90_000);

  it('creates a silence from the Silences page, showing how many open alerts match', async () => {
    await ingest({ alertname: 'BackupLate', site: 'par' });
    await ingest({ alertname: 'BackupLate', site: 'ams' });
    await page.goto(`${base}/ui/#/silences`);
    const matchers = page.getByLabel('Matchers (Alertmanager syntax)');
    await matchers.fill('alertname="BackupLate"');
    await page.getByText('Matches 2 open alerts.').waitFor();
    await matchers.fill('alertname="BackupLate", site=~"p.*"');
    await page.getByText('Matches 1 open alert.').waitFor();
    await page.getByLabel('Comment').fill('backup window in Paris');
    expect(await axe(page)).toEqual([]);
    await shoot('silence-new', true);
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.getByText('Silence created for 1 open alert.').waitFor();
    await page.getByRole('cell', { name: 'backup window in Paris' }).waitFor();
    const silences = await call(t.app, 'GET', '/v1/silences?limit=100', { key: t.keys.viewer });
    const made = (silences.body.items as Record<string, unknown>[]).find(
      (x) => x.comment === 'backup window in Paris',
    );
    expect(made?.created_by).toBe('user:ada@acme.example');
    expect(made?.matchers).toEqual([
      expect.objectContaining({
        name: 'alertname',
        value: 'BackupLate',
        isRegex: false,
        isEqual: true,
      }),
      expect.objectContaining({ name: 'site', value: 'p.*', isRegex: true, isEqual: true }),
    ]);
    const hours =
      (Date.parse(String(made?.ends_at)) - Date.parse(String(made?.starts_at))) / 3_600_000;
    expect(hours).toBeCloseTo(2, 3);
  }, 90_000);

  it('creates and deletes an inhibition rule', async () => {
    await page.goto(`${base}/ui/#/inhibit-rules`);
    await page.getByRole('heading', { name: 'Inhibition rules' }).waitFor();
    await page.getByLabel('Name').fill('critical mutes warning');
    await page.getByLabel(/^Source matchers/).fill('severity="critical"');
    await page.getByLabel(/^Target matchers/).fill('severity="warning"');
    await page.getByLabel(/^Equal labels/).fill('alertname, cluster');
    await page.getByRole('button', { name: 'Create inhibition rule' }).click();
    await page.getByText('Created critical mutes warning.').waitFor();
    const rules = await call(t.app, 'GET', '/v1/inhibit-rules', { key: t.keys.viewer });
    expect(rules.body.items).toEqual([
      expect.objectContaining({
        name: 'critical mutes warning',
        source_matchers: [expect.objectContaining({ name: 'severity', value: 'critical' })],
        target_matchers: [expect.objectContaining({ name: 'severity', value: 'warning' })],
        equal: ['alertname', 'cluster'],
      }),
    ]);
    await page.getByRole('cell', { name: 'critical mutes warning', exact: true }).waitFor();
    expect(await axe(page)).toEqual([]);
    await shoot('inhibit-rules', true);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete critical mutes warning' }).click();
    await page.getByText('Deleted critical mutes warning.').waitFor();
    const after = await call(t.app, 'GET', '/v1/inhibit-rules', { key: t.keys.viewer });
    expect(after.body.items).toEqual([]);
  }, 90_000);

  it('adds a person with a role, changes the role, and disables them', async () => {
    await page.goto(`${base}/ui/#/users`);
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByLabel('E-mail', { exact: true }).fill('bob@acme.example');
    await page.getByLabel('Name', { exact: true }).fill('Bob <b>the</b> responder');
    await page.locator('select[name="role"]').selectOption('responder');
    await page.getByLabel(/^Password/).fill('another-long-password-7');
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.getByText('Added bob@acme.example (responder).').waitFor();
    // The name is text, not markup.
    await page.getByRole('cell', { name: 'Bob <b>the</b> responder', exact: true }).waitFor();
    const users = await call(t.app, 'GET', '/v1/users', { key: t.keys.owner });
    const bob = (users.body.items as Record<string, unknown>[]).find(
      (u) => u.email === 'bob@acme.example',
    );
    expect(bob).toMatchObject({ role: 'responder', disabled_at: null });
    expect(bob).not.toHaveProperty('password_hash');
    expect(await axe(page)).toEqual([]);
    await shoot('users', true);
    await page.getByLabel('Role of bob@acme.example').selectOption('viewer');
    await page.getByText('bob@acme.example is now viewer.').waitFor();
    const changed = await call(t.app, 'GET', `/v1/users/${String(bob?.id)}`, {
      key: t.keys.owner,
    });
    expect(changed.body.role).toBe('viewer');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Disable bob@acme.example' }).click();
    await page.getByText('Disabled bob@acme.example.').waitFor();
    const after = await call(t.app, 'GET', `/v1/users/${String(bob?.id)}`, { key: t.keys.owner });
    expect(after.body.disabled_at).not.toBe(null);
    // Bob can no longer log in.
    const login = await call(t.app, 'POST', '/v1/auth/login', {
      key: null,
      body: { tenant: 'acme', email: 'bob@acme.example', password: 'another-long-password-7' },
    });
    expect(login.status).toBe(401);
  }, 90_000);

  it('kept to its Content-Security-Policy, without page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
