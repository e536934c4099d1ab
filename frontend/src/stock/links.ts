/** Links out to the trader's charting sites, built from their `chart_links` preference. */
import type { ChartLink } from '../api/types';

/** Where the ticker goes in a link's template (the server requires it). */
export const SYMBOL_PLACEHOLDER = '{symbol}';
/** The server's bound on the list (domain/preferences.py). */
export const CHART_LINKS_MAX = 8;

/**
 * The link's address for `symbol`: every `{symbol}` replaced by the ticker, URL-encoded. Null for
 * anything but an http(s) address, so a stored `javascript:` template can never run in the page.
 */
export function chartLinkUrl(template: string, symbol: string): string | null {
  const url = template.split(SYMBOL_PLACEHOLDER).join(encodeURIComponent(symbol));
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export interface BuiltLink {
  label: string;
  url: string;
}

/** The links that can be opened for `symbol`, in the trader's order. */
export function chartLinksFor(links: readonly ChartLink[], symbol: string): BuiltLink[] {
  return links.flatMap((link) => {
    const url = chartLinkUrl(link.url_template, symbol);
    return url === null ? [] : [{ label: link.label, url }];
  });
}
