// The cost of an animation frame under load, measured in the page (see
// src/web/perf.rs): 8 nodes (1 master, 7 replicas) on the page's slow links,
// a load of 1000 writes/s, every panel showing something (the node panel's
// replid opened, a message's bytes picked), 10 s of real time at a speed.
// bench.mjs prints these rows; alone: `node tests/e2e/frame.mjs dist [seconds]`.
import path from 'node:path';
import { serve, launch } from './harness.mjs';

const PORTS = [6379, 6380, 6381, 6382, 6383, 6384, 6385, 6386];
/** The scenario: every pair linked as the page links added nodes, then the load. */
export const SCENE = ['seed 1',
  ...PORTS.flatMap((a, i) => PORTS.slice(i + 1).map((b) => `link ${a} ${b} latency 200ms bandwidth 1mb`)),
  'node 6379', ...PORTS.slice(1).map((p) => `node ${p} --replicaof 127.0.0.1 6379`), 'load 6379 1000 32'].join('\n');
/** Speed slider positions (20 steps per decade from 0.1×). */
export const SPEEDS = [['1×', 20], ['100×', 60]];

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: pct(s, 50), p95: pct(s, 95), max: s[s.length - 1] };
};

/** Runs the scenario for `seconds` of real time at speed slider `slider`;
 * per-frame step, render and step+render statistics (ms), frames per second
 * and the virtual time reached. */
export async function frameCost(browser, base, slider, seconds = 10) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(base + '?seed=1');
  await page.waitForSelector('#app[data-ready="1"]');
  await page.evaluate(([script, speed]) => {
    document.getElementById('import-text').value = script;
    document.getElementById('import-run').click();
    const s = document.getElementById('speed');
    s.value = speed;
    s.dispatchEvent(new Event('input', { bubbles: true }));
    document.getElementById('play').click();
  }, [SCENE, String(slider)]);
  await page.waitForSelector('.msg', { state: 'attached', timeout: 10000 });
  await page.evaluate(() => {
    document.querySelector('#node-panel details').open = true;
    const msg = document.querySelector('.msg'); // (it may have arrived meanwhile)
    if (msg) msg.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    window.wasmBindings.debug_frame_costs_clear();
  });
  await page.waitForTimeout(seconds * 1000);
  const flat = await page.evaluate(() => Array.from(window.wasmBindings.debug_frame_costs()));
  const simTime = await page.textContent('#sim-time');
  await page.close();
  const total = [], step = [], render = [];
  for (let i = 0; i < flat.length; i += 3) {
    step.push(flat[i + 1]);
    render.push(flat[i + 2]);
    total.push(flat[i + 1] + flat[i + 2]);
  }
  const span = (flat[flat.length - 3] - flat[0]) / 1000;
  return { frames: total.length, fps: (total.length - 1) / span, total: stats(total), step: stats(step), render: stats(render), simTime };
}

/** A table row for `frameCost`'s result. */
export function frameRow(name, f) {
  const t = (s) => `${s.p50.toFixed(2)} / ${s.p95.toFixed(2)} / ${s.max.toFixed(1)}`;
  return `| frame at ${name}: 8 nodes, 1000 writes/s, all panels, 10 s; step+render p50 / p95 / max (step; render) | ${t(f.total)} ms (${t(f.step)}; ${t(f.render)}), ${f.fps.toFixed(0)} fps, ${f.simTime} | p95 ≤ 4 ms |`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const browser = await launch();
  const site = await serve(path.resolve(process.argv[2] || 'dist'), '/');
  for (const [name, slider] of SPEEDS) console.log(frameRow(name, await frameCost(browser, site.base, slider, Number(process.argv[3] || 10))));
  await browser.close();
  await site.close();
}
