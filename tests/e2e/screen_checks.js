// The layout checks of tests/e2e/test_screens_e2e.py, run in the page by Playwright.
// Returns {overflow, wraps, tables, overlaps, small, english}: each a list of short descriptions.
(options) => {
  const out = { overflow: [], wraps: [], tables: [], overlaps: [], small: [], english: [] };
  const doc = document.documentElement;
  const name = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    return `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\s+/).join('.') : ''} "${text.slice(0, 24)}"`;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || +style.opacity === 0) return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 1 && rect.height > 1 && !el.closest('[hidden], details:not([open]) > :not(summary)');
  };

  // 1. the page itself never scrolls sideways
  if (doc.scrollWidth > doc.clientWidth + 1) {
    out.overflow.push(`page is ${doc.scrollWidth}px wide in a ${doc.clientWidth}px window`);
  }

  // 2. text in a table cell wrapped to one character per line ("分/期/付/款")
  const range = document.createRange();
  for (const cell of document.querySelectorAll('td, th')) {
    if (!visible(cell)) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.textContent.trim().length < 2) continue;
      range.selectNodeContents(node);
      const lines = [...range.getClientRects()].filter((r) => r.width > 0);
      const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
      if (lines.length >= 2 && lines.every((r) => r.width <= size * 1.3)) {
        out.wraps.push(`"${node.textContent.trim().slice(0, 16)}" in ${lines.length} lines`);
        break;
      }
    }
  }

  // 2b. a table wider than its box scrolls inside that box (never cut off by it), and its
  // first column stays in view while it scrolls (position: sticky)
  for (const table of document.querySelectorAll('table')) {
    if (!visible(table) || table.closest('.hall-page')) continue;  // the hall scales instead
    let box = table.parentElement;
    while (box && box !== document.body) {
      const style = getComputedStyle(box);
      if (style.overflowX !== 'visible') break;
      box = box.parentElement;
    }
    if (!box || box === document.body) continue;  // wider than the page: check 1 says so
    if (table.getBoundingClientRect().width <= box.clientWidth + 1) continue;
    const title = `table in ${name(box).slice(0, 40)}`;
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
    if (!scrolls) { out.tables.push(`${title}: cut off, its box does not scroll`); continue; }
    const first = table.querySelector('tbody tr > :first-child');
    if (first && getComputedStyle(first).position !== 'sticky') {
      out.tables.push(`${title}: scrolls, but its first column scrolls away with it`);
    }
  }

  // 3. interactive elements over one another (their box and their text's box)
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, label.chip';
  const items = [...document.querySelectorAll(selector)]
    .filter((el) => visible(el) && !(el.matches('input') && el.closest('label.chip')));
  // What shows of a box: cut by every scrolling or clipping box around it (a menu scrolled
  // under the footer is not over the footer's links).
  const clip = (el, box) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const r = up.getBoundingClientRect();
      box = { l: Math.max(box.l, r.left), t: Math.max(box.t, r.top),
              r: Math.min(box.r, r.right), b: Math.min(box.b, r.bottom) };
    }
    return box;
  };
  const boxes = items.map((el) => {
    const rect = el.getBoundingClientRect();
    range.selectNodeContents(el);
    const text = range.getBoundingClientRect();
    const box = { l: rect.left, t: rect.top, r: rect.right, b: rect.bottom };
    if (text.width > 0 && text.height > 0) {
      box.l = Math.min(box.l, text.left); box.t = Math.min(box.t, text.top);
      box.r = Math.max(box.r, text.right); box.b = Math.max(box.b, text.bottom);
    }
    return clip(el, box);
  });
  for (let i = 0; i < items.length && out.overlaps.length < 10; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = boxes[i]; const b = boxes[j];
      const w = Math.min(a.r, b.r) - Math.max(a.l, b.l);
      const h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
      if (w > 3 && h > 3 && !items[i].contains(items[j]) && !items[j].contains(items[i])) {
        out.overlaps.push(`${name(items[i])} over ${name(items[j])}`);
      }
    }
  }

  // 4. on a phone, every tap target is at least 44 × 44 px (links inside a sentence excepted)
  if (options.phone) {
    for (const el of items) {
      if (el.matches('a') && el.closest('p, li.note, .muted, small, td')
          && getComputedStyle(el).display === 'inline') continue;
      // a check box or radio is tapped through its label too
      let rect = el.getBoundingClientRect();
      if (el.matches('input[type=checkbox], input[type=radio]') && el.labels && el.labels.length) {
        const label = el.labels[0].getBoundingClientRect();
        rect = { width: Math.max(rect.right, label.right) - Math.min(rect.left, label.left),
                 height: Math.max(rect.bottom, label.bottom) - Math.min(rect.top, label.top) };
      }
      if (rect.width < 44 - 0.5 || rect.height < 44 - 0.5) {
        out.small.push(`${name(el)} ${Math.round(rect.width)}×${Math.round(rect.height)}`);
      }
    }
  }

  // 5. English words in the app's own text (data the office typed, and code, excepted)
  const allowed = new Set(options.allowed);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, code, [data-raw], [hidden]') || !visible(parent)) continue;
    const words = node.textContent.replace(/\bhttps?:\/\/\S+|\b[0-9a-f]{16,}\b/g, '')
      .match(/[A-Za-z][A-Za-z_]{2,}/g);
    for (const word of words || []) {  // a link's address is data, not the app's words
      if (!allowed.has(word) && !allowed.has(word.toLowerCase())) {
        out.english.push(`"${word}" in ${name(parent)}`);
      }
    }
  }
  // ... and in what the app writes into attributes a user reads (a placeholder, a tooltip, a
  // screen reader's label) and into the options of a list (closed, they are not on screen)
  const said = (el, text, where) => {
    const words = (text || '').replace(/\bhttps?:\/\/\S+|\b[0-9a-f]{16,}\b/g, '')
      .match(/[A-Za-z][A-Za-z_]{2,}/g);
    for (const word of words || []) {
      if (!allowed.has(word) && !allowed.has(word.toLowerCase())) {
        out.english.push(`"${word}" in ${where} of ${name(el)}`);
      }
    }
  };
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], img[alt]')) {
    if (el.closest('[data-raw], [hidden]') || el.matches('link, meta')) continue;
    for (const attr of ['placeholder', 'title', 'aria-label', 'alt']) {
      if (el.hasAttribute(attr)) said(el, el.getAttribute(attr), attr);
    }
  }
  for (const option of document.querySelectorAll('select option')) {
    if (!option.closest('[data-raw], [hidden]') && visible(option.parentElement.closest('select'))) {
      said(option.closest('select'), option.textContent, 'an option');
    }
  }
  out.english = [...new Set(out.english)].slice(0, 20);
  return out;
}
