import type { Condition, ConditionResult } from './automation.schema.js';

/** What a rule's conditions are judged against: read from the event and its conversation. */
export interface RuleFacts {
  channelId: string | null;
  store: string | null;
  categoryId: string | null;
  intake: { key?: string; question?: string; answer?: string }[];
  text: string | null;
  insideHours: boolean;
  attributes: Record<string, unknown>;
  outcome: string | null;
}

/**
 * Every condition in order, up to the first that does not match (the run log shows it). No conditions: the rule
 * matches every event of its type.
 */
export function matchConditions(conditions: Condition[], facts: RuleFacts): { matched: boolean; results: ConditionResult[] } {
  const results: ConditionResult[] = [];
  for (const condition of conditions) {
    const matched = matches(condition, facts);
    results.push({ kind: condition.kind, matched });
    if (!matched) return { matched: false, results };
  }
  return { matched: true, results };
}

function matches(condition: Condition, facts: RuleFacts): boolean {
  switch (condition.kind) {
    case 'channel':
      return facts.channelId !== null && condition.channelIds.includes(facts.channelId);
    case 'store':
      return facts.store !== null && condition.stores.includes(facts.store);
    case 'category':
      return facts.categoryId !== null && condition.categoryIds.includes(facts.categoryId);
    case 'intake_answer': {
      // The question is named by its key or its text; the answer matches when it contains the words (either case).
      const wanted = condition.answer.toLowerCase();
      return facts.intake.some((a) => (a.key === condition.question || a.question === condition.question) && (a.answer ?? '').toLowerCase().includes(wanted));
    }
    case 'words': {
      // NFKC so that full-width letters and digits (ＡＢＣ, １２３) match the half-width words a rule was written with.
      const text = (facts.text ?? '').normalize('NFKC').toLowerCase();
      const found = condition.words.map((word) => text.includes(word.normalize('NFKC').toLowerCase()));
      return condition.match === 'all' ? found.every(Boolean) : found.some(Boolean);
    }
    case 'business_hours':
      return facts.insideHours === condition.inside;
    case 'contact_attribute': {
      const value = facts.attributes[condition.key];
      return value !== undefined && value !== null && String(value) === condition.value;
    }
    case 'outcome':
      return facts.outcome !== null && condition.outcomes.includes(facts.outcome);
  }
}
