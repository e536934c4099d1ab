import { describe, expect, it } from 'vitest';
import { chartLinksFor, chartLinkUrl } from './links';

describe('chartLinkUrl', () => {
  it.each([
    ['https://finviz.com/quote.ashx?t={symbol}', 'GAPR', 'https://finviz.com/quote.ashx?t=GAPR'],
    ['https://www.tradingview.com/chart/?symbol={symbol}', 'BRK.B', 'https://www.tradingview.com/chart/?symbol=BRK.B'],
    ['https://example.com/{symbol}/chart?s={symbol}', 'AB-C', 'https://example.com/AB-C/chart?s=AB-C'],
    ['http://localhost:8080/c?s={symbol}', 'X', 'http://localhost:8080/c?s=X'],
    // The ticker is encoded: it can never end the query or start another parameter.
    ['https://example.com/?s={symbol}&x=1', 'A&B=1', 'https://example.com/?s=A%26B%3D1&x=1'],
  ])('%s with %s → %s', (template, symbol, url) => {
    expect(chartLinkUrl(template, symbol)).toBe(url);
  });

  it.each([
    'javascript:alert({symbol})',
    'data:text/html,{symbol}',
    'ftp://example.com/{symbol}',
    '/relative/{symbol}',
    'not a url {symbol}',
  ])('refuses %s', (template) => {
    expect(chartLinkUrl(template, 'GAPR')).toBeNull();
  });
});

describe('chartLinksFor', () => {
  it('keeps the trader’s order and leaves out what cannot be opened', () => {
    expect(
      chartLinksFor(
        [
          { label: 'Finviz', url_template: 'https://finviz.com/quote.ashx?t={symbol}' },
          { label: 'Bad', url_template: 'javascript:void({symbol})' },
          { label: 'TV', url_template: 'https://tv.example/{symbol}' },
        ],
        'GAPR',
      ),
    ).toEqual([
      { label: 'Finviz', url: 'https://finviz.com/quote.ashx?t=GAPR' },
      { label: 'TV', url: 'https://tv.example/GAPR' },
    ]);
  });
});
