// The download-size gate: every file of the built site, gzip -9, summed.
//   node tests/e2e/size.mjs dist [BUDGET_BYTES]
// Prints each file's raw and gzip size and the total; exits 1 when the
// gzip total is over the budget (LIMIT_BYTES, the 150 KB target, unless a
// budget is given). bench.mjs reports the same figure.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** The budget for the whole site, gzip -9 (150 KB). */
export const LIMIT_BYTES = 150 * 1024;

/** Every file under `dist` (dot files skipped) with its raw and gzip -9 size, largest first. */
export function siteSizes(dist) {
  const files = fs.readdirSync(dist, { recursive: true })
    .filter((f) => !path.basename(f).startsWith('.'))
    .filter((f) => fs.statSync(path.join(dist, f)).isFile());
  const rows = files.map((f) => {
    const data = fs.readFileSync(path.join(dist, f));
    return { file: f, raw: data.length, gz: zlib.gzipSync(data, { level: 9 }).length };
  });
  rows.sort((a, b) => b.gz - a.gz);
  const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
  return { rows, raw: total('raw'), gz: total('gz') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = path.resolve(process.argv[2] || 'dist');
  const budget = Number(process.argv[3] || LIMIT_BYTES);
  const { rows, raw, gz } = siteSizes(dist);
  const width = Math.max(...rows.map((r) => r.file.length), 5);
  console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(9)}  ${'gzip -9'.padStart(9)}`);
  for (const r of rows) console.log(`${r.file.padEnd(width)}  ${String(r.raw).padStart(9)}  ${String(r.gz).padStart(9)}`);
  console.log(`${'total'.padEnd(width)}  ${String(raw).padStart(9)}  ${String(gz).padStart(9)}`);
  if (gz > budget) {
    console.error(`site too large: ${gz} bytes gzip -9 in ${rows.length} files, over the ${budget}-byte budget by ${gz - budget} bytes`);
    process.exit(1);
  }
  const target = gz > LIMIT_BYTES ? ` (the 150 KB target is ${LIMIT_BYTES}: ${gz - LIMIT_BYTES} bytes to go)` : '';
  console.log(`site size ok: ${gz} of ${budget} bytes gzip -9${target}`);
}
