import { describe, expect, it } from 'vitest';
import type { ConsistencyLookup } from '../base/validators/check.js';
import { createRoutingTreeValidator, routingTreeChecks } from './routing-checks.js';

const CH = ['01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d10', '01950b2e-7a3c-7c4e-9d1f-3b8e2a6c4d11'];

const findings = async (doc: Record<string, unknown>, lookup?: ConsistencyLookup) => {
  const result = await createRoutingTreeValidator({ cache: false }).validate(
    { tenantId: 'acme', ...doc },
    lookup === undefined ? {} : { lookup },
  );
  const json = result.toJSON();
  return [...json.errors, ...json.warnings, ...json.infos].map(
    (f) => `${f.severity} ${f.path} ${f.code}`,
  );
};

describe('routing tree checks in the five levels', () => {
  it('are named by level', () => {
    expect(routingTreeChecks().map((c) => `${c.level}:${c.name}`)).toEqual([
      'semantic:semantic.routing-reachability',
      'semantic:semantic.routing-receivers',
      'semantic:semantic.routing-timers',
      'consistency:consistency.routing-channels',
    ]);
  });

  it('a sound tree passes; the consistency level says when it could not look', async () => {
    const doc = {
      route: { receiver: 'a', routes: [{ matchers: ['team="db"'], receiver: 'b' }] },
      receivers: [
        { name: 'a', channels: [CH[0]] },
        { name: 'b', channels: [CH[1]] },
      ],
    };
    expect(await findings(doc)).toEqual(['info  consistency_skipped']);
    const lookup: ConsistencyLookup = {
      findEntities: (_kind, ids) =>
        ids.filter((id) => id === CH[0]).map((id) => ({ id, tenantId: 'acme' })),
    };
    expect(await findings(doc, lookup)).toEqual([
      'error /receivers/1/channels/0 unknown_reference',
    ]);
    // A lookup that cannot find entities: the check says it was skipped.
    expect(await findings(doc, {})).toEqual(['info  consistency_skipped']);
    const otherTenant: ConsistencyLookup = {
      findEntities: (_kind, ids) => ids.map((id) => ({ id, tenantId: 'other' })),
    };
    expect(await findings(doc, otherTenant)).toEqual([
      'error /receivers/0/channels/0 unknown_reference',
      'error /receivers/1/channels/0 unknown_reference',
    ]);
  });

  it('warns of routes that can never match', async () => {
    expect(
      await findings({
        route: {
          receiver: 'a',
          routes: [
            { matchers: ['team="db"'], continue: true },
            { matchers: ['team="db"'] },
            { matchers: ['team="db"'] },
            { matchers: ['a="1"', 'a="2"'] },
            { matchers: ['a="1"', 'a=~"2|3"'] },
            {
              matchers: ['env="prod"'],
              routes: [{ matchers: ['env!="prod"'] }, { matchers: ['env=~"prod"'] }],
            },
            {},
            { matchers: ['x="y"'] },
          ],
        },
        receivers: [{ name: 'a', channels: [CH[0]] }],
      }),
    ).toEqual([
      // Siblings shadowed by earlier ones are found at their parent, contradictions at each route.
      'warning /route/routes/2 unreachable_route',
      'warning /route/routes/7 unreachable_route',
      'warning /route/routes/3 unreachable_route',
      'warning /route/routes/4 unreachable_route',
      'warning /route/routes/5/routes/0 unreachable_route',
      'info  consistency_skipped',
    ]);
  });

  it('warns of receivers without channels, notes unused ones, and of short repeat intervals', async () => {
    expect(
      await findings({
        route: { receiver: 'a', group_interval: '10m', repeat_interval: '5m' },
        receivers: [
          { name: 'a' },
          { name: 'b', channels: [CH[0]] },
          { name: 'c', channels: [CH[1]] },
        ],
        escalation: ['c'],
      }),
    ).toEqual([
      'warning /receivers/0/channels receiver_without_channels',
      'warning /route repeat_before_group_interval',
      'info /receivers/1/name unused_receiver',
      'info  consistency_skipped',
    ]);
  });

  it('a tree as deep as the model allows passes the document depth check', async () => {
    let node: Record<string, unknown> = { receiver: 'a' };
    const root = node;
    for (let i = 1; i < 30; i++) {
      const child = { matchers: [`l${i}="v"`] };
      node.routes = [child];
      node = child;
    }
    const doc = { route: root, receivers: [{ name: 'a', channels: [CH[0]] }] };
    expect(await findings(doc)).toEqual(['info  consistency_skipped']);
    // A caller's own limit still applies.
    const strict = await createRoutingTreeValidator({
      cache: false,
      checkOptions: { performance: { limits: { maxDepth: 16 } } },
    }).validate({ tenantId: 'acme', ...doc });
    expect(strict.toJSON().errors.map((e) => e.code)).toEqual(['document_too_deep']);
  });

  it('a tree the model refuses stops at the syntax level', async () => {
    expect(await findings({ route: { receiver: 'ghost' }, receivers: [{ name: 'a' }] })).toEqual([
      'error /route/receiver unknown_receiver',
    ]);
  });
});
