import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Legend } from './Legend';

describe('Legend', () => {
  it('opens on one click with the score scale, confidence, adjusted alpha and the rank', () => {
    render(<Legend />);
    expect(screen.queryByTestId('legend')).toBeNull();
    fireEvent.click(screen.getByTestId('legend-button'));
    const legend = screen.getByTestId('legend');
    expect(legend).toHaveTextContent('−1 … +1');
    expect(legend).toHaveTextContent(/Confidence \(0–100 %\)/);
    expect(legend).toHaveTextContent(/volatility-adjusted/);
    expect(legend).toHaveTextContent(/rank score from 0 to 10/);
    expect(legend).toHaveTextContent(/Squeeze risk \(low · normal · high\).*4.6 % of short candidates in high-risk sectors/);
    expect(screen.getByTestId('legend-button')).toHaveAttribute('aria-expanded', 'true');
  });

  it('closes on Escape and on a second click', () => {
    render(<Legend />);
    const button = screen.getByTestId('legend-button');
    fireEvent.click(button);
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByTestId('legend')).toBeNull();
    fireEvent.click(button);
    fireEvent.click(button);
    expect(screen.queryByTestId('legend')).toBeNull();
  });
});
