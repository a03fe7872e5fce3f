// The long run: one virtual hour at the top speed (100×) with a write load
// and six replicas, through the page's own controls and frame loop. Then:
// the JS heap and the wasm memory stay bounded, the log panel says older
// lines were dropped, the journal stays small, and the page still answers
// a click within a second. Figures are printed (README "Reliability").
import { openPage, screenshot, assert, setInput } from './harness.mjs';

const HOUR_S = 3600;
const MB = 1024 * 1024;

const simSeconds = (page) => page.evaluate(() => parseFloat(document.getElementById('sim-time').textContent.replace(/[^\d.]/g, '')));

async function memory(page) {
  return page.evaluate(() => ({
    heap: performance.memory ? performance.memory.usedJSHeapSize : NaN,
    wasm: window.wasmBindings.debug_wasm_memory_bytes(),
    nodes: document.getElementsByTagName('*').length,
  }));
}

export function longRunTests(browser, base) {
  return [['one virtual hour at 100× with a write load and six replicas: memory bounded, page responsive', async () => {
    const { page, errors } = await openPage(browser, base);
    for (let i = 0; i < 4; i++) await page.click('#add-node');
    assert(await page.locator('.node.replica').count() === 6, 'six replicas');
    // A pasted flood that logs: 6380 leaves and rejoins its master 1,500 times.
    await page.click('.node[data-port="6380"]');
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.setData('text', 'REPLICAOF NO ONE\nREPLICAOF 127.0.0.1 6379\n'.repeat(1500));
      document.getElementById('console-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    });
    await setInput(page, '#load-rate', 200);
    await setInput(page, '#speed', 60); // 100×
    const t0 = Date.now();
    let early = null;
    await page.waitForFunction((h) => {
      const s = parseFloat(document.getElementById('sim-time').textContent.replace(/[^\d.]/g, ''));
      return s >= h;
    }, 600, { timeout: 30000, polling: 500 });
    early = await memory(page);
    const journalEarly = await page.evaluate(() => window.wasmBindings.debug_journal_len());
    await page.waitForFunction((h) => parseFloat(document.getElementById('sim-time').textContent.replace(/[^\d.]/g, '')) >= h,
      HOUR_S, { timeout: 85000, polling: 1000 });
    const wallS = (Date.now() - t0) / 1000;
    const end = await memory(page);
    const sim = await simSeconds(page);
    await page.click('.node[data-port="6380"]');
    const dropped = Number(await page.getAttribute('.logs-body', 'data-dropped'));
    const marker = await page.locator('.logs-body .log-dropped').textContent().catch(() => '');
    const journal = await page.evaluate(() => window.wasmBindings.debug_journal_len());
    // Responsiveness, still at 100×: a real click on Play changes the page within a second.
    const fps = await page.evaluate(() => new Promise((ok) => {
      let n = 0; const t0 = performance.now();
      const f = () => { n++; if (performance.now() - t0 < 1000) requestAnimationFrame(f); else ok(n); };
      requestAnimationFrame(f);
    }));
    const box = await page.locator('#play').boundingBox();
    const before = await page.getAttribute('#play', 'aria-pressed');
    const c0 = Date.now();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction((b) => document.getElementById('play').getAttribute('aria-pressed') !== b, before, { timeout: 1000, polling: 'raf' });
    const clickMs = Date.now() - c0;
    await screenshot(page, 'long-run-1280x720');
    console.log(`     long run: ${sim.toFixed(0)} virtual s in ${wallS.toFixed(1)} s wall; JS heap ${(early.heap / MB).toFixed(1)} → ${(end.heap / MB).toFixed(1)} MB; ` +
      `wasm ${(early.wasm / MB).toFixed(1)} → ${(end.wasm / MB).toFixed(1)} MB; DOM ${early.nodes} → ${end.nodes} elements; ` +
      `log lines dropped on 6380: ${dropped}; journal ${journalEarly} → ${journal} entries; ${fps} frames/s; click answered in ${clickMs} ms`);
    assert(dropped > 0 && marker.includes('older log lines dropped'), 'the log panel says older lines were dropped: ' + marker);
    assert(journal === journalEarly, `the journal grows only with actions: ${journalEarly} → ${journal}`);
    assert(end.wasm < 256 * MB, 'wasm memory bounded: ' + end.wasm);
    assert(!(end.heap > 128 * MB), 'JS heap bounded: ' + end.heap);
    assert(end.nodes < early.nodes * 2 + 500, `DOM bounded: ${early.nodes} → ${end.nodes}`);
    assert(errors.length === 0, 'no console errors: ' + errors.join('; '));
    await page.close();
  }]];
}
