/** One choice of several as radio buttons in a fieldset (the lists of the tickets and sales pages), labels by value. */
export function RadioFilter<T extends string>(props: { legend: string; name: string; labels: Record<T, string>; value: T; onChange: (value: T) => void }) {
  const { legend, name, labels, value, onChange } = props;
  return (
    <fieldset className="filters">
      <legend>{legend}</legend>
      {(Object.keys(labels) as T[]).map((option) => (
        <label key={option}>
          <input type="radio" name={name} value={option} checked={value === option} onChange={() => onChange(option)} /> {labels[option]}
        </label>
      ))}
    </fieldset>
  );
}
