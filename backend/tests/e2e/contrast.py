"""WCAG contrast of every visible text on a page, measured in the browser from computed styles.

Each text's background is composed from its ancestors' background colours and gradient stops (each
stop taken as a possible backdrop, so a gradient counts at its worst point); translucent layers are
blended over what lies beneath, and the text colour is blended by its alpha and the opacity of its
ancestors. Text shadows are ignored, so the measure errs on the strict side.
"""

from __future__ import annotations

from typing import TypedDict

from playwright.sync_api import Page

#: WCAG 2.x AA minimums: 4.5:1 for body text, 3:1 for large text (24 px, or 18.66 px bold).
AA_NORMAL = 4.5
AA_LARGE = 3.0


class LowContrast(TypedDict):
    text: str
    selector: str
    ratio: float
    required: float
    color: list[float]
    background: list[float]


_MEASURE = """
([normal, large]) => {
  const parse = (value) => {
    const match = /rgba?\\(([^)]*)\\)/.exec(value);
    if (!match) return null;
    const parts = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const stops = (image) => (image.match(/rgba?\\([^)]*\\)/g) || []).map(parse);
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const channel = (c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      const id = e.getAttribute('data-testid');
      parts.unshift(e.tagName.toLowerCase() + (id ? `[data-testid=${id}]` : '') +
        (e.classList.length ? '.' + [...e.classList].join('.') : ''));
    }
    return parts.join(' > ');
  };

  const failures = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || seen.has(el) || !node.textContent.trim()) continue;
    seen.add(el);
    if (el.closest('[aria-hidden="true"], .visually-hidden, script, style, canvas')) continue;
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (rect.width === 0 || rect.height === 0 || style.visibility !== 'visible') continue;

    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.unshift(e);
    let backdrops = [[255, 255, 255, 1]];
    let opacity = 1;
    for (const e of chain) {
      const cs = getComputedStyle(e);
      const color = parse(cs.backgroundColor);
      if (color && color[3] > 0) backdrops = backdrops.map((b) => over(color, b));
      if (cs.backgroundImage && cs.backgroundImage !== 'none') {
        const layer = stops(cs.backgroundImage).filter(Boolean);
        if (layer.length) backdrops = layer.flatMap((s) => backdrops.map((b) => over(s, b)));
      }
      opacity *= Number(cs.opacity);
    }
    const text = parse(style.color);
    if (!text) continue;
    const alpha = text[3] * opacity;
    if (alpha === 0) continue;
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const required = size >= 24 || (bold && size >= 18.66) ? large : normal;
    let worst = null;
    for (const backdrop of backdrops) {
      const shown = over([text[0], text[1], text[2], alpha], backdrop);
      const r = ratio(shown, backdrop);
      if (worst === null || r < worst.ratio) worst = { ratio: r, color: shown, background: backdrop };
    }
    if (worst && worst.ratio < required) {
      failures.push({
        text: node.textContent.trim().slice(0, 60),
        selector: describe(el),
        ratio: Math.round(worst.ratio * 100) / 100,
        required,
        color: worst.color.map(Math.round),
        background: worst.background.map(Math.round),
      });
    }
  }
  return failures;
}
"""


def low_contrast_texts(page: Page) -> list[LowContrast]:
    """Every visible text on `page` below the AA contrast minimum, at its worst backdrop."""
    failures: list[LowContrast] = page.evaluate(_MEASURE, [AA_NORMAL, AA_LARGE])
    return failures
