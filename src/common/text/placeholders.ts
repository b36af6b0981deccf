/**
 * Fills `{name}` placeholders of a canned reply or a team text. A placeholder with no value (an unknown name, or a
 * store nobody has set) is left as written, so the agent sees what is missing before sending. `fillEmpty`: an empty
 * string is a value too (a post the hub sends by itself, where a line may have nothing to say).
 */
export function fillPlaceholders(text: string, values: Record<string, string | null | undefined>, options: { fillEmpty?: boolean } = {}): string {
  return text.replace(/\{([a-z]+(?:\.[a-z][a-z0-9_]*)?)\}/gi, (whole, name: string) => {
    const value = values[name];
    return value === undefined || value === null || (value === '' && !options.fillEmpty) ? whole : value;
  });
}

/**
 * The surname in a member's display name: Japanese names are written surname first (山田 太郎, or with a full-width space), so the
 * first word; a name of one word is used whole.
 */
export function surnameOf(name: string): string {
  const [first] = name.trim().split(/[\s\u3000]+/u);
  return first || name;
}
