// End-to-end tests of the lessons, the languages, share links, rewind, the
// keyboard and accessibility: every lesson played to its end in English and
// in Chinese, each question answered, two steps back, no console error and
// no untranslated UI string on the way.
import { openPage, screenshot, assert } from './harness.mjs';

/** Texts outside Redis output (`[translate=no]`) that are in the wrong language. */
function untranslated(lang) {
  const table = window.wasmBindings.ui_table();
  const english = new Set(table.filter(([, en, zh]) => en !== zh).map(([, en]) => en));
  const bad = [];
  const walker = document.createTreeWalker(document.getElementById('app'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el || el.closest('[translate=no], [hidden], noscript')) continue;
    if (lang === 'en') {
      if (/[\u3400-\u9fff]/.test(text)) bad.push(text);
    } else if (el.closest('#lesson-body, #live')) {
      // Narration (also read out by the live region) may quote Redis's log lines, but must be Chinese.
      if (text.length > 12 && !/[\u3400-\u9fff]/.test(text)) bad.push(text);
    } else if (english.has(text) || /[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}/.test(text)) {
      bad.push(text);
    }
  }
  return bad;
}

async function checkLanguage(page, lang, where) {
  const bad = await page.evaluate(untranslated, lang);
  assert(bad.length === 0, `${where}: untranslated in ${lang}: ${JSON.stringify(bad.slice(0, 5))}`);
}

const step = (page) => page.getAttribute('#lesson-progress', 'data-step').then(Number);

async function waitLessons(page) {
  await page.waitForFunction(() => document.querySelectorAll('#lesson-select option').length >= 15, null, { timeout: 20000 });
}

// Lessons and steps to photograph: [lesson index, step].
const SHOTS = [[2, 3], [4, 3], [9, 2]];

/** Plays every lesson in `lang` on one page. */
async function playAll(browser, base, lang) {
  const { page, errors } = await openPage(browser, `${base}?lang=${lang}`);
  await waitLessons(page);
  assert(await page.getAttribute('html', 'lang') === (lang === 'zh' ? 'zh-CN' : 'en'), 'html lang');
  const ids = await page.$$eval('#lesson-select option', (os) => os.map((o) => o.value).filter(Boolean));
  assert(ids.length >= 14, 'at least 14 lessons: ' + ids.length);
  for (const [i, id] of ids.entries()) {
    await page.selectOption('#lesson-select', id);
    assert(await step(page) === 0, `${id}: starts at its introduction`);
    await checkLanguage(page, lang, `${id} intro`);
    let n = 0;
    while (await page.isEnabled('#lesson-next')) {
      await page.click('#lesson-next');
      n++;
      assert(await step(page) === n, `${id}: step ${n}`);
      const choices = await page.locator('#lesson-question button[data-choice]').count();
      if (choices) {
        await page.click('#lesson-question button[data-choice="0"]');
        await page.waitForSelector('#lesson-feedback');
        const right = await page.locator('#lesson-question button.right').count();
        assert(right === 1, `${id} step ${n}: the right answer is marked`);
      }
      await checkLanguage(page, lang, `${id} step ${n}`);
      if (SHOTS.some(([l, s]) => l === i + 1 && s === n)) await page.evaluate(() => window.scrollTo(0, 0)).then(() => screenshot(page, `lesson${String(i + 1).padStart(2, '0')}-step${n}-${lang}`));
      assert(errors.length === 0, `${id} step ${n}: ${errors.join('; ')}`);
    }
    assert(n >= 2, `${id}: has steps`);
    await page.click('#lesson-prev');
    await page.click('#lesson-prev');
    assert(await step(page) === n - 2, `${id}: two steps back`);
    await checkLanguage(page, lang, `${id} back`);
  }
  assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
  await page.close();
}

export function lessonTests(browser, base) {
  return [
    ['every lesson, in English: all steps, questions, two steps back', () => playAll(browser, base, 'en')],
    ['every lesson, in Chinese: all steps, questions, two steps back', () => playAll(browser, base, 'zh')],
    ['a shared link reopens the same lesson step, offsets, node and language', async () => {
      const { page, errors } = await openPage(browser, `${base}?lang=zh&lesson=blip`);
      await waitLessons(page);
      await page.waitForSelector('#lesson-progress[data-step="0"]');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      assert(await step(page) === 3, 'arrow keys step the lesson');
      const info = () => page.$$eval('#info .info-line', (ls) => ls.map((l) => l.textContent).filter((t) => /offset|replid|role/.test(t)).join('|'));
      const before = { info: await info(), sel: await page.getAttribute('#node-panel', 'data-port') };
      await page.click('#share');
      const link = await page.inputValue('#share-link');
      assert(/#v=1&lang=zh&sel=\d+&c=[0-9a-f]{16}&s=/.test(link), 'link format: ' + link.slice(0, 80));
      await page.keyboard.press('Escape');
      assert(await page.locator('#share-dialog[hidden]').count() === 1, 'Escape closes the dialog');
      const other = await openPage(browser, link);
      await waitLessons(other.page);
      assert(await step(other.page) === 3, 'same lesson step');
      assert(await other.page.getAttribute('#node-panel', 'data-port') === before.sel, 'same node');
      const after = await other.page.$$eval('#info .info-line', (ls) => ls.map((l) => l.textContent).filter((t) => /offset|replid|role/.test(t)).join('|'));
      assert(after === before.info, `same INFO: ${after} vs ${before.info}`);
      assert(await other.page.getAttribute('html', 'lang') === 'zh-CN', 'same language');
      const bad = await openPage(browser, link.slice(0, -9));
      await bad.page.waitForSelector('#notice:not([hidden])');
      assert((await bad.page.textContent('#notice')).includes('损坏'), 'a truncated link says so');
      assert(await bad.page.locator('.node').count() === 3, 'and shows the default world');
      for (const p of [other, bad]) {
        assert(p.errors.length === 0, 'no console errors: ' + p.errors.join('; '));
        await p.page.close();
      }
      assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
      await page.close();
    }],
    ['keyboard: space, arrows, ?, Escape; export and import a script; rewind with the timeline', async () => {
      const { page, errors } = await openPage(browser, `${base}?lang=en`);
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      const pressed = () => page.getAttribute('#play', 'aria-pressed');
      const was = await pressed();
      await page.keyboard.press('Space');
      assert(await pressed() !== was, 'space toggles play');
      await page.keyboard.press('?');
      await page.waitForSelector('#help-dialog:not([hidden])');
      await screenshot(page, 'shortcuts-en');
      await page.keyboard.press('Escape');
      await page.waitForSelector('#help-dialog[hidden]', { state: 'attached' });
      for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
      const t1 = await page.inputValue('#timeline');
      await page.keyboard.press('ArrowLeft');
      assert(Number(await page.inputValue('#timeline')) < Number(t1), 'ArrowLeft steps one event back');
      await page.evaluate(() => { const t = document.getElementById('timeline'); t.value = '0'; t.dispatchEvent(new Event('change', { bubbles: true })); });
      assert(await page.inputValue('#timeline') === '0', 'scrubbed back to the start');
      await page.focus('#play');
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement.id);
      assert(focused === 'step', 'Tab order follows the toolbar: ' + focused);
      await page.click('#share');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
      const script = await download.createReadStream().then((s) => new Promise((ok) => { let d = ''; s.on('data', (c) => { d += c; }); s.on('end', () => ok(d)); }));
      assert(/^seed \d+\n/.test(script) && script.includes('node 6380 --replicaof 127.0.0.1 6379'), 'exported script: ' + script.slice(0, 80));
      await page.fill('#import-text', 'seed 5\nnode 7000\nnode 7001 --replicaof 127.0.0.1 7000\nwait 7s\n7000> SET x <b>bold</b>\nwait 1s\n');
      await page.click('#import-run');
      await page.waitForSelector('.node[data-port="7001"] .link-ok');
      assert(await page.locator('b').count() === 0, 'imported text stays text');
      await page.click('#share');
      await page.fill('#import-text', 'node 7000\nbogus line\n');
      await page.click('#import-run');
      await page.waitForSelector('#notice:not([hidden])');
      assert(await page.locator('.node[data-port="7001"]').count() === 1, 'a bad script changes nothing');
      assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
      await page.close();
    }],
    ['reduced motion, embed mode, live region', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, reducedMotion: 'reduce' });
      await page.goto(`${base}?embed=1&lang=en`);
      await page.waitForSelector('#app[data-ready="1"]');
      assert(await page.locator('#app.reduced-motion').count() === 1, 'reduced motion noticed');
      assert(!(await page.isVisible('.toolbar.load')), 'embed hides the chrome');
      await page.waitForFunction(() => document.getElementById('live').textContent.length > 0, null, { timeout: 20000 });
      assert(await page.getAttribute('#live', 'aria-live') === 'polite', 'polite live region');
      await screenshot(page, 'embed-reduced-motion');
      await page.close();
    }],
  ];
}
