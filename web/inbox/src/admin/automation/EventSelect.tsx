import type { FieldControl } from '../../shared/forms';
import { RULE_EVENTS } from './useAutomation';
import type { RuleEvent } from './useAutomation';

/** The events a rule starts from, named in the member's language: the editor's "when" and the tester's event. */
export function EventSelect(props: { control: FieldControl; value: RuleEvent; set: (event: RuleEvent) => void; names: Record<RuleEvent, string> }) {
  const { control, value, set, names } = props;
  return (
    <select {...control} value={value} onChange={(e) => set(e.target.value as RuleEvent)}>
      {RULE_EVENTS.map((type) => (
        <option key={type} value={type}>
          {names[type]}
        </option>
      ))}
    </select>
  );
}
