// End-to-end tests of the built site: `node tests/e2e/run.mjs dist`.
// They use the page as a student would: sliders, buttons, the console.
import path from 'node:path';
import { serve, launch, openPage, screenshot, runTests, assert, setInput } from './harness.mjs';
import { lessonTests } from './lessons.mjs';
import { longRunTests } from './longrun.mjs';

const dist = path.resolve(process.argv[2] || 'dist');
const browser = await launch();
const root = await serve(dist, '/');
const sub = await serve(dist, '/replscope/');

// Speed slider positions: 20 = 1x, 26 = 2x, 40 = 10x, 60 = 100x.
const SPEED = { x1: 20, x2: 26, x10: 40, x100: 60 };

async function selectNode(page, port) {
  await page.click(`.node[data-port="${port}"]`);
  await page.waitForSelector(`#node-panel[data-port="${port}"]`);
}

async function typeCommand(page, port, line) {
  await selectNode(page, port);
  await page.fill('#console-input', line);
  await page.press('#console-input', 'Enter');
}

async function lastConsoleLine(page) {
  return page.evaluate(() => {
    const lines = document.querySelectorAll('.console-out > div');
    const last = lines[lines.length - 1];
    return last ? { cls: last.className, text: last.textContent } : null;
  });
}

async function waitSynced(page, ports = [6380, 6381]) {
  for (const p of ports) {
    await page.waitForSelector(`.phase-row[data-port="${p}"][data-visited="123456"] .phase.current[data-phase="6"]`, { timeout: 30000 });
  }
}

async function noHorizontalScroll(page) {
  const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert(sw <= cw + 1, `no horizontal scrolling: ${sw} > ${cw}`);
}

const tests = [
  ['first sync: six phases, then a SET on the master reaches the replica', async () => {
    const { page, errors } = await openPage(browser, root.base);
    assert(await page.locator('.node.master').count() === 1, 'one master');
    assert(await page.locator('.node.replica').count() === 2, 'two replicas');
    assert(await page.textContent('.phase-row[data-port="6380"] .repl-state') !== '', 'state shown');
    await screenshot(page, 'start-1280x720');
    await setInput(page, '#speed', SPEED.x2);
    await page.waitForSelector('.msg.kind-handshake', { timeout: 10000 });
    await screenshot(page, 'handshake-1280x720');
    await waitSynced(page, [6380]);
    assert(await page.textContent('.phase-row[data-port="6380"] .repl-state') === 'REPL_STATE_CONNECTED', 'CONNECTED shown');
    await typeCommand(page, 6379, 'SET hello "redis world"');
    const ok = await lastConsoleLine(page);
    assert(ok.cls === 'cl-reply' && ok.text === 'OK', 'SET replied OK: ' + JSON.stringify(ok));
    await page.waitForSelector('.node[data-port="6380"] .keys:text-is("keys 1")', { timeout: 10000 });
    await typeCommand(page, 6380, 'GET hello');
    const got = await lastConsoleLine(page);
    assert(got.text === '"redis world"', 'the replica has the key: ' + JSON.stringify(got));
    await page.press('#console-input', 'ArrowUp');
    assert(await page.inputValue('#console-input') === 'GET hello', 'history with the up arrow');
    await screenshot(page, 'first-sync-1280x720');
    await noHorizontalScroll(page);
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['killing the connection for a moment: partial resync, and the callout says why', async () => {
    const { page, errors } = await openPage(browser, root.base);
    await setInput(page, '#speed', SPEED.x10);
    await waitSynced(page, [6380]);
    await setInput(page, '#speed', SPEED.x1);
    await selectNode(page, 6380);
    await page.click('[data-action=kill]');
    const newest = page.locator('.callout[data-port="6379"] .callout-line.newest');
    await page.waitForFunction(() => (document.querySelector('.callout[data-port="6379"] .newest') || {}).textContent?.includes('6380'), null, { timeout: 10000 });
    const text = await newest.textContent();
    assert(text.startsWith('PSYNC from 127.0.0.1:6380'), 'callout names the replica: ' + text);
    assert(/offset \d+ is inside the backlog → partial resync \(\+CONTINUE\), \d+ bytes/.test(text), 'callout explains: ' + text);
    assert(await page.locator('.bl-replica.outside').count() === 0, 'no marker is red');
    await screenshot(page, 'partial-resync-1280x720');
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['16kb backlog, cut, write past repl-timeout, heal: full resync with an RDB', async () => {
    const { page, errors } = await openPage(browser, root.base);
    await setInput(page, '#speed', SPEED.x10);
    await waitSynced(page);
    await selectNode(page, 6379);
    await setInput(page, '#backlog-size', 0);
    assert(await page.textContent('.backlog-slider output') === '16.0 kB', 'backlog is 16kb');
    await selectNode(page, 6380);
    await page.click('[data-action=cut]');
    await page.waitForSelector('#link-6379-6380.cut');
    await setInput(page, '#load-rate', 200);
    const marker = page.locator('.bl-replica.outside[data-port="6380"]');
    await marker.waitFor({ timeout: 10000 });
    assert((await marker.textContent()).includes('needs full resync'), 'the red marker says so');
    await screenshot(page, 'backlog-overrun-1280x720');
    await setInput(page, '#speed', SPEED.x100);
    await page.waitForSelector('.node[data-port="6380"] .link-bad', { timeout: 20000 });
    await page.waitForFunction(() => [...document.querySelectorAll('.logs-body .log-line')].some((l) => l.textContent.includes('MASTER timeout')), null, { timeout: 20000 });
    await setInput(page, '#speed', SPEED.x2);
    await page.click('[data-action=heal]');
    // Pause in the very frame the RDB is drawn, so the screenshot shows it.
    await page.waitForFunction(() => {
      if (!document.querySelector('.msg.kind-rdb .rdb-bar')) return false;
      const play = document.getElementById('play');
      if (play.getAttribute('aria-pressed') === 'true') play.click();
      return true;
    }, null, { timeout: 30000, polling: 'raf' });
    const label = await page.textContent('.msg.kind-rdb .msg-label');
    assert(/RDB [\d.]+ kB/.test(label), 'the RDB shows its size: ' + label);
    const callout = await page.textContent('.callout[data-port="6379"] .newest');
    assert(/offset \d+ < backlog start \d+ → full resync/.test(callout), 'callout explains: ' + callout);
    await screenshot(page, 'full-resync-1280x720');
    await page.click('.msg.kind-rdb circle');
    assert((await page.textContent('#msg-detail')).includes('RDB transfer'), 'tapped RDB shows its parts');
    await page.click('#play');
    await page.waitForSelector('.phase-row[data-port="6380"][data-visited="123456"] .phase.current[data-phase="6"]', { timeout: 20000 });
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['a 1M-key full sync: the new replica shows its RDB loading and answers -LOADING', async () => {
    const { page, errors } = await openPage(browser, root.base);
    await setInput(page, '#speed', SPEED.x10);
    await waitSynced(page);
    await typeCommand(page, 6379, 'DEBUG POPULATE 1000000 key 16');
    await page.waitForFunction(() => /keys 1000000/.test(document.querySelector('.node[data-port="6379"] .keys')?.textContent || ''), null, { timeout: 30000 });
    await typeCommand(page, 6379, 'CONFIG SET repl-diskless-sync-delay 0');
    await page.click('#add-node');
    // Pause in the frame that shows the load (half a virtual second).
    await page.waitForFunction(() => {
      if (!document.querySelector('.phase-row[data-port="6382"] .phase-loading')) return false;
      const play = document.getElementById('play');
      if (play.getAttribute('aria-pressed') === 'true') play.click();
      return true;
    }, null, { timeout: 60000, polling: 'raf' });
    const label = page.locator('.phase-row[data-port="6382"] .phase-loading');
    assert(/loading the RDB: \d+%/.test(await label.textContent()), 'progress shown: ' + await label.textContent());
    await typeCommand(page, 6382, 'PING');
    await page.waitForFunction(() => {
      const lines = document.querySelectorAll('.console-out > div');
      return lines.length && lines[lines.length - 1].textContent.includes('LOADING Redis is loading the dataset in memory');
    }, null, { timeout: 10000 });
    await screenshot(page, 'rdb-loading-1280x720');
    await page.click('#play');
    await page.waitForSelector('.phase-row[data-port="6382"] .phase.current[data-phase="6"]', { timeout: 60000 });
    assert(await label.count() === 0, 'the label goes when the load is done');
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['the site works under a sub-path', async () => {
    const { page, errors } = await openPage(browser, sub.base);
    assert(await page.locator('.node.master').count() === 1, 'master drawn under /replscope/');
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['a chosen script file lands in the import box', async () => {
    const { page, errors } = await openPage(browser, root.base);
    await page.click('#share');
    const script = 'seed 9\nnode 7000\n7000> SET from-file "é"\n';
    await page.setInputFiles('#import-file', { name: 'session.scn', mimeType: 'text/plain', buffer: Buffer.from(script) });
    await page.waitForFunction((want) => document.getElementById('import-text').value === want, script, { timeout: 5000 });
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['phone-sized screen: everything reachable by touch', async () => {
    const { page, errors } = await openPage(browser, root.base, { width: 390, height: 844 });
    await setInput(page, '#speed', SPEED.x10);
    await waitSynced(page, [6380]);
    await screenshot(page, 'phone-390x844');
    await noHorizontalScroll(page);
    for (const sel of ['#play', '#step', '#skip', '[data-action=cut]', '#console-input', '#backlog-size']) {
      const box = await page.locator(sel).first().boundingBox();
      assert(box && box.height >= 32 && box.width >= 32, `${sel} big enough to tap: ${JSON.stringify(box)}`);
    }
    await page.locator('#console').scrollIntoViewIfNeeded();
    await screenshot(page, 'phone-console-390x844');
    await page.locator('#backlog').scrollIntoViewIfNeeded();
    await screenshot(page, 'phone-backlog-390x844');
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['presentation mode enlarges the text', async () => {
    const { page, errors } = await openPage(browser, root.base);
    const before = await page.evaluate(() => getComputedStyle(document.querySelector('.console-out')).fontSize);
    await page.click('#present');
    const after = await page.evaluate(() => getComputedStyle(document.querySelector('.console-out')).fontSize);
    assert(parseFloat(after) > parseFloat(before), `font grew: ${before} -> ${after}`);
    await screenshot(page, 'presentation-1280x720');
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['a panic in the wasm shows the error banner', async () => {
    const { page } = await openPage(browser, root.base);
    await typeCommand(page, 6379, 'SET typed "before the crash"');
    // Uncaught, as a panic in an event handler or a frame would be.
    await page.evaluate(() => { setTimeout(() => window.wasmBindings.debug_panic('boom from e2e')); });
    await page.waitForSelector('#error-banner', { timeout: 5000 });
    const text = await page.textContent('#error-banner');
    // The site is built with panic=immediate-abort: the trap, not the panic's message, reaches the page.
    assert(/crashed: internal error \(RuntimeError: unreachable/.test(text), 'banner names the trap: ' + text);
    const script = await page.inputValue('#error-script');
    assert(script.includes('SET typed "before the crash"'), 'banner keeps the session script: ' + script.slice(-200));
    for (const b of ['#error-reset', '#error-copy', '#error-download']) assert(await page.isVisible(b), b + ' shown');
    await screenshot(page, 'panic-banner');
    await page.close();
  }],
  ['a pack that fails to arrive whole: the page says it could not start', async () => {
    // The server's error, then a pack with one byte changed (its integrity hash no longer matches).
    const answers = [
      (route) => route.fulfill({ status: 503, body: 'busy' }),
      async (route) => {
        const body = Buffer.from(await (await route.fetch()).body());
        body[body.length >> 1] ^= 1;
        await route.fulfill({ status: 200, body });
      },
    ];
    for (const answer of answers) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.route('**/*.pack', answer);
      await page.goto(root.base);
      await page.waitForFunction(() => /could not start/.test(document.querySelector('.loading')?.textContent), null, { timeout: 10000 });
      const text = await page.textContent('.loading');
      assert(/^replscope could not start \(.+\)\. Reloading the page may help\.$/.test(text), 'says why: ' + text);
      assert(await page.getAttribute('#app', 'data-ready') === null, 'nothing started');
      await screenshot(page, 'pack-failed');
      await page.close();
    }
  }],
];

const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;
const all = [...tests, ...lessonTests(browser, root.base), ...longRunTests(browser, root.base)];
const ok = await runTests(all.filter(([name]) => !only || only.test(name)));
await browser.close();
await root.close();
await sub.close();
process.exit(ok ? 0 : 1);
