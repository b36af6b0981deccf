import { describe, expect, it } from '@jest/globals';
import { routeTarget } from './route-target.js';
import type { RouteInputs } from './route-target.js';

const CALL_CENTER = 'g-call-center';
const EVENING = 'g-evening';
const RESERVATIONS = 'g-reservations';

const inputs = (overrides: Partial<RouteInputs> = {}): RouteInputs => ({
  ruleGroupId: null,
  intakeGroupId: null,
  groupOrder: [CALL_CENTER, EVENING],
  groupsOnShift: new Set([CALL_CENTER, EVENING]),
  ...overrides,
});

describe(routeTarget.name, () => {
  it('sends a chat a rule gave to a group to that group, before the intake step and the shifts', () => {
    expect(routeTarget(inputs({ ruleGroupId: RESERVATIONS, intakeGroupId: CALL_CENTER }))).toEqual({ kind: 'groups', groupIds: [RESERVATIONS], reason: 'rule' });
  });

  // The intake's group is not narrowed by shifts: the visitor chose it, and it is offered even off its shift.
  it('sends a chat the intake step gave to a group there, even when that group is off shift', () => {
    expect(routeTarget(inputs({ intakeGroupId: RESERVATIONS, groupsOnShift: new Set([EVENING]) }))).toEqual({ kind: 'groups', groupIds: [RESERVATIONS], reason: 'intake' });
  });

  it('offers the groups on shift in the team order, leaving out those off shift', () => {
    expect(routeTarget(inputs({ groupOrder: [EVENING, RESERVATIONS, CALL_CENTER], groupsOnShift: new Set([CALL_CENTER, EVENING]) }))).toEqual({
      kind: 'groups',
      groupIds: [EVENING, CALL_CENTER],
      reason: 'shift',
    });
  });

  it('leaves out a group on shift that the order does not name', () => {
    expect(routeTarget(inputs({ groupOrder: [CALL_CENTER], groupsOnShift: new Set([CALL_CENTER, EVENING]) }))).toEqual({ kind: 'groups', groupIds: [CALL_CENTER], reason: 'shift' });
  });

  it('offers everyone when no group of the order is on shift, or the team set no order', () => {
    expect(routeTarget(inputs({ groupsOnShift: new Set() }))).toEqual({ kind: 'everyone' });
    expect(routeTarget(inputs({ groupOrder: [] }))).toEqual({ kind: 'everyone' });
  });
});
