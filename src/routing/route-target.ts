/**
 * Who a new chat may be offered to, read in one place (README, "Shifts per group"). First that applies wins:
 * 1. the group a rule sent the conversation to (a rule that picks a member assigns the chat itself: it is never offered);
 * 2. the group an intake step sent it to;
 * 3. the groups on shift, in the team's routing order: the first of them with a member available is offered it, then
 *    the next;
 * 4. everyone available, as without groups.
 */
export type RouteTarget = { kind: 'groups'; groupIds: string[]; reason: 'rule' | 'intake' | 'shift' } | { kind: 'everyone' };

export interface RouteInputs {
  /** Set on the conversation by an automation rule. */
  ruleGroupId: string | null;
  intakeGroupId: string | null;
  /** The team's routing order: group ids, first first. */
  groupOrder: string[];
  /** The groups whose shift is on now. */
  groupsOnShift: ReadonlySet<string>;
}

export function routeTarget(inputs: RouteInputs): RouteTarget {
  if (inputs.ruleGroupId) return { kind: 'groups', groupIds: [inputs.ruleGroupId], reason: 'rule' };
  if (inputs.intakeGroupId) return { kind: 'groups', groupIds: [inputs.intakeGroupId], reason: 'intake' };
  const onShift = inputs.groupOrder.filter((id) => inputs.groupsOnShift.has(id));
  // No group of the order is on shift (or the team set no order): nothing narrows the chat.
  if (onShift.length > 0) return { kind: 'groups', groupIds: onShift, reason: 'shift' };
  return { kind: 'everyone' };
}
