// End-to-end tests of the built site: `node tests/e2e/run.mjs dist`.
import path from 'node:path';
import { serve, launch, openPage, screenshot, runTests, assert } from './harness.mjs';

const dist = path.resolve(process.argv[2] || 'dist');
const browser = await launch();
const root = await serve(dist, '/');
const sub = await serve(dist, '/replscope/');

const tests = [
  ['page starts the wasm and shows a master and a replica', async () => {
    const { page, errors } = await openPage(browser, root.base);
    assert(await page.locator('.node.master').count() === 1, 'one master');
    assert(await page.locator('.node.replica').count() >= 1, 'a replica');
    await screenshot(page, 'first-view-1280x720');
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['clicking a control changes the page', async () => {
    const { page, errors } = await openPage(browser, root.base);
    const before = await page.textContent('#link-status');
    await page.click('#cut-link');
    await page.waitForSelector('line.link.cut', { state: 'attached' });
    const after = await page.textContent('#link-status');
    assert(before !== after && after.includes('cut'), `status changed: ${before} -> ${after}`);
    await screenshot(page, 'link-cut-1280x720');
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['the site works under a sub-path', async () => {
    const { page, errors } = await openPage(browser, sub.base);
    assert(await page.locator('.node.master').count() === 1, 'master drawn under /replscope/');
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['phone-sized screen shows the nodes', async () => {
    const { page, errors } = await openPage(browser, root.base, { width: 390, height: 844 });
    await screenshot(page, 'first-view-390x844');
    assert(await page.locator('#cut-link').isVisible(), 'control reachable');
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }],
  ['a panic in the wasm shows the error banner', async () => {
    const { page } = await openPage(browser, root.base);
    await page.evaluate(() => { try { window.wasmBindings.debug_panic('boom from e2e'); } catch (e) { /* trap */ } });
    await page.waitForSelector('#error-banner', { timeout: 5000 });
    const text = await page.textContent('#error-banner');
    assert(text.includes('boom from e2e'), 'banner shows the panic message: ' + text);
    await screenshot(page, 'panic-banner');
    await page.close();
  }],
];

const ok = await runTests(tests);
await browser.close();
await root.close();
await sub.close();
process.exit(ok ? 0 : 1);
