import { formatPercent } from '../format';

/** A signed percent with ▲/▼ repeating the sign, so colour is not the only carrier. */
export function Change({ value, digits = 2 }: { value: number | null | undefined; digits?: number }) {
  const text = formatPercent(value, digits);
  const direction = text.startsWith('+') ? 'up' : text.startsWith('-') ? 'down' : 'flat';
  return (
    <span className={`change change-${direction}`}>
      {direction !== 'flat' && (
        <span className="change-arrow" aria-hidden="true">
          {direction === 'up' ? '▲' : '▼'}
        </span>
      )}
      {text}
    </span>
  );
}
