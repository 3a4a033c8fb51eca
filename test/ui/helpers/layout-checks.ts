import type { Page } from 'playwright-core';

/**
 * Runs in the page: every layout fault a user would see as a cut or a scrollbar, one line each.
 * - the page is wider than the window (a horizontal scrollbar on the page);
 * - an element scrolls sideways inside the page (a table overflowing its card), except boxes
 *   meant to scroll: code, logs, text areas and the grid;
 * - an element that hides its overflow (or ends it with an ellipsis) cuts its text;
 * - a select is narrower than the option it shows;
 * - a label's words are broken over lines although they fit on one (text split by flex items);
 * - an SVG chart label sticks out of its chart, or a chart fills less than 90% of its box.
 */
const FIND_LAYOUT_FAULTS = `(() => {
  const faults = [];
  const name = (el) => {
    const raw = typeof el.className === 'string' ? el.className.trim() : '';
    const cls = raw ? '.' + raw.split(/\\s+/).join('.') : '';
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + ' "' + text + '"';
  };
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth)
    faults.push('page is ' + root.scrollWidth + 'px wide in a ' + window.innerWidth + 'px window');
  const scrollable = 'pre, textarea, code, .code-wrap, .log, .grid-wrap, .affected, .cell-pre';
  const canvas = document.createElement('canvas').getContext('2d');
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const over = el.scrollWidth - el.clientWidth;
    if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && over > 1 && !el.matches(scrollable))
      faults.push(name(el) + ' scrolls sideways by ' + over + 'px');
    const hides = style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis';
    if (hides && over > 1 && !el.matches('textarea'))
      faults.push(name(el) + ' cuts its text by ' + over + 'px');
    if (el.tagName === 'SELECT' && el.selectedIndex >= 0) {
      canvas.font = style.font;
      const text = el.options[el.selectedIndex].text;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
      const width = canvas.measureText(text).width;
      if (width > room + 1)
        faults.push(name(el) + ' shows ' + Math.round(width) + 'px of text in ' + Math.round(room) + 'px');
    }
  }
  for (const label of document.querySelectorAll('label')) {
    if (getComputedStyle(label).display === 'none') continue;
    const control = label.querySelector('input:not([type=hidden]), select, textarea');
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    const rects = [];
    let words = '';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const after = control && control.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING;
      if (control && (control.contains(node) || after)) break;
      if (!node.textContent.trim()) continue;
      words += node.textContent;
      const range = document.createRange();
      range.selectNodeContents(node);
      rects.push(...[...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0));
    }
    // a new line starts where a piece of text lies wholly below the one before
    rects.sort((x, y) => x.top - y.top);
    let lines = rects.length ? 1 : 0;
    for (let i = 1; i < rects.length; i++) if (rects[i].top >= rects[i - 1].bottom - 2) lines++;
    const width = rects.reduce((sum, r) => sum + r.width, 0);
    if (lines > 1 && width < label.clientWidth - 8)
      faults.push('label "' + words.trim().replace(/\\s+/g, ' ').slice(0, 40) + '" is broken over ' + lines +
        ' lines though it fits on one');
  }
  for (const svg of document.querySelectorAll('svg.gantt, svg.durations, svg#graph')) {
    const box = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll('text')) {
      const r = text.getBoundingClientRect();
      const outside =
        r.right > box.right + 1 || r.left < box.left - 1 || r.bottom > box.bottom + 1 || r.top < box.top - 1;
      if (r.width > 0 && outside)
        faults.push('svg.' + svg.getAttribute('class') + ' cuts its label "' + text.textContent + '"');
    }
    if (!svg.matches('#graph')) {
      const parent = svg.parentElement;
      const ps = getComputedStyle(parent);
      const room = parent.clientWidth - parseFloat(ps.paddingLeft) - parseFloat(ps.paddingRight);
      if (box.width < room * 0.9)
        faults.push(
          'svg.' + svg.getAttribute('class') + ' fills ' + Math.round(box.width) + 'px of ' + Math.round(room) + 'px',
        );
    }
  }
  return faults;
})()`;

/** The layout faults of the page as it is now (see FIND_LAYOUT_FAULTS); [] when there are none. */
export async function findLayoutFaults(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(FIND_LAYOUT_FAULTS);
}
