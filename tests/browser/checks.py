"""Checks every workbench page must pass, run in the page itself: accessibility (lang, labels,
heading order, errors tied to their fields, no English code word in visible text) and, at phone
width, no sideways scrolling and tap targets at least 40 px tall."""

from __future__ import annotations

from playwright.async_api import Page

from shared import labels_zh

_AUDIT = """() => {
  const problems = [];
  if (document.documentElement.lang !== 'zh-CN') problems.push('lang is ' + document.documentElement.lang);
  const controls = [...document.querySelectorAll('input, select, textarea')].filter(e => e.type !== 'hidden');
  for (const c of controls) {
    const labelled = (c.id && document.querySelector(`label[for="${CSS.escape(c.id)}"]`)) || c.closest('label')
      || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby');
    if (!labelled) problems.push('no label: ' + (c.name || c.outerHTML.slice(0, 80)));
  }
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1]));
  if (levels[0] !== 1) problems.push('first heading is h' + levels[0]);
  if (levels.filter(l => l === 1).length !== 1) problems.push('h1 count ' + levels.filter(l => l === 1).length);
  for (let i = 1; i < levels.length; i++)
    if (levels[i] > levels[i - 1] + 1) problems.push(`heading h${levels[i - 1]} then h${levels[i]}`);
  const described = new Set([...document.querySelectorAll('[aria-describedby]')]
    .flatMap(e => e.getAttribute('aria-describedby').split(/\\s+/)));
  for (const ref of described) if (!document.getElementById(ref)) problems.push('aria-describedby to nothing: ' + ref);
  for (const err of document.querySelectorAll('.field-error'))
    if (!err.id || !described.has(err.id)) problems.push('error not tied to a field: ' + err.textContent);
  const words = (document.body.innerText.match(/[A-Za-z_]{3,}/g) || []);
  if (words.length) problems.push('English words in visible text: ' + [...new Set(words)].join(' '));
  return problems;
}"""

_PHONE = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) problems.push(`scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  const controls = [...document.querySelectorAll('a, button, input, select, textarea')]
    .filter(e => e.type !== 'hidden' && e.getClientRects().length);
  for (const c of controls) {
    const r = c.getBoundingClientRect();
    if (r.height < 40) problems.push(`${c.tagName.toLowerCase()} ${Math.round(r.height)}px tall: ` + (c.textContent || c.name || '').trim().slice(0, 30));
    if (r.right > root.clientWidth + 1) problems.push('beyond the right edge: ' + (c.textContent || c.name || '').trim().slice(0, 30));
  }
  return problems;
}"""

# every code word the platform has: none may reach a page as visible text
CODE_WORDS = {code for table in (labels_zh.STATUSES, labels_zh.MODES, labels_zh.CATEGORIES, labels_zh.PARTY_ROLES,
                                 labels_zh.ENDING_GROUNDS, labels_zh.HANDOFF_TYPES, labels_zh.CHANNELS,
                                 labels_zh.ACTIONS) for code in table}


async def audit(page: Page, what: str) -> None:
    problems = await page.evaluate(_AUDIT)
    text = await page.evaluate("() => document.body.innerText")
    problems += [f"code word {w}" for w in CODE_WORDS if w in text]
    assert not problems, f"{what} ({page.url}): {problems}"


async def phone_fit(page: Page, what: str) -> None:
    """At 390 px: nothing scrolls sideways, every control can be tapped."""
    size = page.viewport_size
    await page.set_viewport_size({"width": 390, "height": 844})
    try:
        problems = await page.evaluate(_PHONE)
    finally:
        await page.set_viewport_size(size)
    assert not problems, f"{what} at 390 px ({page.url}): {problems}"


async def every_check(page: Page, what: str) -> None:
    await audit(page, what)
    await phone_fit(page, what)
