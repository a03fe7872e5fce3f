// The download-size gate: every file of the built site, gzip -9, summed.
//   node tests/e2e/size.mjs dist [BUDGET_BYTES]
// Prints each file's raw and gzip size and the total; exits 1 when the
// total sent is over the budget (LIMIT_BYTES, the 150 KB target, unless a
// budget is given). What is sent: a text file gzip -9, as hosts send them;
// the LZMA pack (.ci/pack-site.mjs) whole, since hosts send binary types as
// they are (gzip would take ~400 B off its small decoder module, which the
// total does not count). bench.mjs reports the same figure.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** The budget for the whole site, gzip -9 (150 KB). */
export const LIMIT_BYTES = 150 * 1024;

/** Every file under `dist` (dot files and folders skipped) with its raw, gzip -9 and sent size, largest sent first. */
export function siteSizes(dist) {
  const files = fs.readdirSync(dist, { recursive: true })
    .filter((f) => !f.split(path.sep).some((part) => part.startsWith('.')))
    .filter((f) => fs.statSync(path.join(dist, f)).isFile());
  const rows = files.map((f) => {
    const data = fs.readFileSync(path.join(dist, f));
    const gz = zlib.gzipSync(data, { level: 9 }).length;
    return { file: f, raw: data.length, gz, sent: f.endsWith('.pack') ? data.length : gz };
  });
  rows.sort((a, b) => b.sent - a.sent);
  const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
  return { rows, raw: total('raw'), gz: total('gz'), sent: total('sent') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = path.resolve(process.argv[2] || 'dist');
  const budget = Number(process.argv[3] || LIMIT_BYTES);
  const { rows, raw, gz, sent } = siteSizes(dist);
  const width = Math.max(...rows.map((r) => r.file.length), 5);
  const row = (...cells) => console.log(cells.map((c, i) => (i ? String(c).padStart(9) : c.padEnd(width))).join('  '));
  row('file', 'raw', 'gzip -9', 'sent');
  for (const r of rows) row(r.file, r.raw, r.gz, r.sent);
  row('total', raw, gz, sent);
  if (sent > budget) {
    console.error(`site too large: ${sent} bytes sent for ${rows.length} files, over the ${budget}-byte budget by ${sent - budget} bytes`);
    process.exit(1);
  }
  const target = sent > LIMIT_BYTES ? ` (the 150 KB target is ${LIMIT_BYTES}: ${sent - LIMIT_BYTES} bytes to go)` : '';
  console.log(`site size ok: ${sent} of ${budget} bytes sent (gzip -9 of text files, the pack as it is)${target}`);
}
