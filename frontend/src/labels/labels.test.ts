import { describe, expect, it } from 'vitest';
import { exchangeName, exclusionText } from './labels';

describe('exchangeName', () => {
  it.each([
    ['XNYS', 'NYSE'],
    ['XNAS', 'Nasdaq'],
    ['XASE', 'NYSE American'],
    ['ARCX', 'NYSE Arca'],
    ['xnas', 'Nasdaq'],
    ['XLON', 'XLON'],
    [null, null],
    ['', null],
  ])('%s reads as %s', (code, name) => {
    expect(exchangeName(code)).toBe(name);
  });
});

describe('exclusionText', () => {
  it.each([
    ['market_cap', /Market cap outside/],
    ['exchange', /NYSE, Nasdaq or NYSE American/],
    ['avg_daily_volume', /1 million shares/],
    ['price', /\$2 – \$100/],
    ['float', /Float too small/],
    ['security_type', /Not a common stock/],
    ['sector', /eight sectors/],
    ['size_cap', /size cap/],
    ['new_filter', /^Excluded by the new filter filter\.$/],
  ])('%s reads as a sentence', (reason, text) => {
    expect(exclusionText(reason)).toMatch(text);
  });

  it('never shows the raw code of a known reason', () => {
    for (const reason of ['market_cap', 'avg_daily_volume', 'security_type', 'size_cap']) {
      expect(exclusionText(reason)).not.toContain(reason);
    }
  });
});
