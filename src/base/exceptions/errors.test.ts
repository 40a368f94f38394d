import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, renderTemplate, specOf } from './codes.js';
import { renderErrorTable } from './docs.js';
import {
  AlertbaseError,
  ConfigError,
  ConflictError,
  InvalidTransitionError,
  isAlertbaseError,
  NotFoundError,
  QuotaExceededError,
  RateLimitedError,
  SecurityViolationError,
  SerializationError,
  summarizeIssues,
  TenantIsolationError,
  toJsonPointer,
  UnknownValueError,
  ValidationError,
} from './errors.js';

describe('error registry', () => {
  it('every code follows ALERTBASE_<AREA>_<WHAT> and has a valid HTTP status', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^ALERTBASE_[A-Z]+(_[A-Z]+)*$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
      expect(spec.title.length).toBeGreaterThan(0);
    }
  });

  it('docs/errors.md is generated from the registry and current', () => {
    const onDisk = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderErrorTable());
  });

  it('renders templates, leaving unknown placeholders visible', () => {
    expect(renderTemplate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(renderTemplate('{list}', { list: ['x', 'y'] })).toBe('x, y');
    expect(renderTemplate('{d}', { d: new Date(0) })).toBe('1970-01-01T00:00:00.000Z');
    expect(renderTemplate('{o}', { o: { k: 1 } })).toBe('{"k":1}');
    expect(renderTemplate('plain', {})).toBe('plain');
    expect(renderTemplate('{a}{a}.', { a: 'z' })).toBe('zz.');
  });
});

describe('error classes', () => {
  it('carry code, status, context and cause, and render problem details', () => {
    const cause = new Error('socket closed');
    const err = new NotFoundError('AlertRule', 'r1', { cause });
    expect(err).toBeInstanceOf(AlertbaseError);
    expect(err.name).toBe('NotFoundError');
    expect(err.code).toBe('ALERTBASE_RESOURCE_NOT_FOUND');
    expect(err.status).toBe(404);
    expect(err.context).toEqual({ resource: 'AlertRule', id: 'r1' });
    expect(err.cause).toBe(cause);
    expect(err.message).toBe('AlertRule r1 was not found');
    expect(err.toProblemDetails('/v1/rules/r1')).toEqual({
      type: 'https://alertbase.dev/problems/ALERTBASE_RESOURCE_NOT_FOUND',
      title: 'Resource not found',
      status: 404,
      detail: 'AlertRule r1 was not found',
      instance: '/v1/rules/r1',
      code: 'ALERTBASE_RESOURCE_NOT_FOUND',
    });
    expect(err.toJSON()).toEqual({
      name: 'NotFoundError',
      code: err.code,
      message: err.message,
      context: err.context,
    });
    expect(isAlertbaseError(err)).toBe(true);
    expect(isAlertbaseError(err, 'ALERTBASE_RESOURCE_NOT_FOUND')).toBe(true);
    expect(isAlertbaseError(err, 'ALERTBASE_INTERNAL')).toBe(false);
    expect(isAlertbaseError(cause)).toBe(false);
  });

  it('ValidationError lists every issue in problem details', () => {
    const issues = [
      { path: ['name'], pointer: '/name', code: 'too_small', message: 'too short' },
      {
        path: ['config', 'url'],
        pointer: '/config/url',
        code: 'invalid_format',
        message: 'bad url',
        branch: 'type=webhook',
      },
    ];
    const err = new ValidationError('AlertRule', issues);
    expect(err.status).toBe(422);
    expect(err.issues).toEqual(issues);
    expect(err.toProblemDetails().errors).toEqual([
      { pointer: '/name', code: 'too_small', detail: 'too short' },
      { pointer: '/config/url', code: 'invalid_format', detail: 'bad url', branch: 'type=webhook' },
    ]);
    expect(err.message).toBe('AlertRule is invalid: /name: too short; /config/url: bad url');
  });

  it('the rendered message: own property, in the stack, in String(), kept by structuredClone', () => {
    const issues = [{ path: ['name'], pointer: '/name', code: 'too_small', message: 'too short' }];
    const rendered = 'AlertRule is invalid: /name: too short';
    const first = new ValidationError('AlertRule', issues);
    expect(first.stack?.split('\n')[0]).toBe(`ValidationError: ${rendered}`);
    expect(String(first)).toBe(`ValidationError: ${rendered}`);
    expect(first.toJSON().message).toBe(rendered);
    expect(Object.getOwnPropertyDescriptor(first, 'message')?.value).toBe(rendered);
    expect(structuredClone(first).message).toBe(rendered);
    const second = new ValidationError('AlertRule', issues);
    second.message = 'replaced';
    expect(second.message).toBe('replaced');
    expect(second.toProblemDetails().detail).toBe('replaced');
    expect(new NotFoundError('rule', 'r1', { message: 'given' }).message).toBe('given');
  });

  it('each class has its code and status', () => {
    const cases: [AlertbaseError, string, number][] = [
      [
        new UnknownValueError('AlertLevel', 'urgent', ['critical', 'high']),
        'ALERTBASE_VALIDATION_UNKNOWN_VALUE',
        422,
      ],
      [ConflictError.version('AlertRule', 'r1', 2, 3), 'ALERTBASE_RESOURCE_VERSION_CONFLICT', 409],
      [
        new ConflictError('ALERTBASE_RESOURCE_ALREADY_EXISTS', { resource: 'Tenant', id: 'acme' }),
        'ALERTBASE_RESOURCE_ALREADY_EXISTS',
        409,
      ],
      [new TenantIsolationError('a', 'b'), 'ALERTBASE_TENANT_ISOLATION', 403],
      [
        new QuotaExceededError({ tenantId: 'a', tier: 'free', quota: 'rules', limit: 50 }),
        'ALERTBASE_TENANT_QUOTA_EXCEEDED',
        403,
      ],
      [
        new RateLimitedError({ limit: 10, window: '1s', retryAfterSeconds: 1 }),
        'ALERTBASE_RATE_LIMITED',
        429,
      ],
      [
        new InvalidTransitionError('resolved', 'acknowledge', ['reopen']),
        'ALERTBASE_STATUS_INVALID_TRANSITION',
        409,
      ],
      [
        new SerializationError('ALERTBASE_SERIALIZATION_TOO_LARGE', {
          format: 'json',
          limit: 10,
          unit: 'bytes',
        }),
        'ALERTBASE_SERIALIZATION_TOO_LARGE',
        413,
      ],
      [new SecurityViolationError('forbidden key __proto__'), 'ALERTBASE_SECURITY_VIOLATION', 400],
      [
        new ConfigError('MAX_VALIDATION_ERRORS', 'expected an integer'),
        'ALERTBASE_CONFIG_INVALID',
        500,
      ],
    ];
    for (const [err, code, status] of cases) {
      expect(err.code).toBe(code);
      expect(err.status).toBe(status);
      expect(specOf(err.code).status).toBe(status);
      expect(err.message).not.toMatch(/\{[a-zA-Z]+\}/);
    }
    expect(ConflictError.version('AlertRule', 'r1', 2, 3).context.currentVersion).toBe(3);
    const transition = new InvalidTransitionError('resolved', 'acknowledge', ['reopen']);
    expect(transition.allowed).toEqual(['reopen']);
    expect(transition.toProblemDetails().allowedActions).toEqual(['reopen']);
    expect(new InvalidTransitionError('expired', 'resolve', []).context.allowed).toEqual(['none']);
  });

  it('json pointers escape ~ and /, issue summaries are bounded', () => {
    expect(toJsonPointer([])).toBe('');
    expect(toJsonPointer(['labels', 'a/b~c', 0])).toBe('/labels/a~1b~0c/0');
    const issues = Array.from({ length: 5 }, (_, i) => ({
      path: [i],
      pointer: `/${i}`,
      code: 'x',
      message: 'bad',
    }));
    expect(summarizeIssues(issues, 2)).toBe('/0: bad; /1: bad; and 3 more');
    expect(summarizeIssues([{ path: [], pointer: '', code: 'x', message: 'bad' }])).toBe(
      '(root): bad',
    );
  });
});
