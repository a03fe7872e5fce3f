// A post-build step (the Trunk hook in Trunk.toml, after the lessons are
// bundled and short-imports.mjs has run): packs the page's wasm and
// lessons.txt into one LZMA-compressed file and has index.html's loader
// unpack it.
//   node .ci/pack-site.mjs DIR   (DIR holds index.html, one *_bg.wasm, lessons.txt)
// `xz --format=lzma` packs the wasm to ~131 KB where gzip -9 makes ~158 KB:
// LZMA's whole-file dictionary and adaptive bit coding find what gzip's
// 32 KB window and Huffman codes miss. Browsers have no LZMA decoder, so the
// pack file starts with one: src/unlzma.rs built alone into a ~2 KB wasm
// module (.ci/unlzma-wasm.rs), which decodes the 382 KB in about 15 ms
// where the same decoder in JavaScript took 45-100 ms on a cold page.
// The file is `replscope-HASH.pack`: [decoder wasm][LZMA stream of the
// page's wasm, then lessons.txt]. index.html gets www/loader.js inline and
// fetches the pack with its integrity hash. Before anything is written, the
// pack is unpacked here by that same loader code and decoder and compared
// byte for byte; on any difference the step fails and leaves DIR as it was.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';

const ROOT = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
// lc=4, pb=0: wasm code is byte-oriented, with no alignment for pb to model
// (about 300 B smaller than xz's defaults).
const XZ_ARGS = ['--format=lzma', '--lzma1=preset=9e,lc=4,lp=0,pb=0', '--stdout'];

const sri = (data) => 'sha384-' + crypto.createHash('sha384').update(data).digest('base64');

/** `data` LZMA-packed, with its decoded size in the stream's header. */
export function lzma(data) {
  const lz = execFileSync('xz', XZ_ARGS, { input: data, maxBuffer: 1 << 28 });
  lz.writeBigUInt64LE(BigInt(data.length), 5);
  return lz;
}

/** The decoder's wasm module: .ci/unlzma-wasm.rs through rustc and wasm-opt. */
export function buildDecoder() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unlzma-'));
  try {
    const raw = path.join(tmp, 'raw.wasm'), opt = path.join(tmp, 'opt.wasm');
    execFileSync('rustc', ['--edition', '2024', '--crate-type', 'cdylib', '--target', 'wasm32-unknown-unknown',
      '-C', 'opt-level=z', '-C', 'panic=abort', '-C', 'lto', '-C', 'codegen-units=1', '-C', 'strip=symbols',
      // A 4 KB stack and one page to start with: the loader grows the memory.
      '-C', 'link-arg=-zstack-size=4096', '-C', 'link-arg=--initial-memory=65536',
      path.join(ROOT, '.ci', 'unlzma-wasm.rs'), '-o', raw], { stdio: 'inherit' });
    execFileSync('wasm-opt', ['-Oz', '--strip-producers', '--strip-target-features', '--enable-bulk-memory',
      '--enable-sign-ext', '--enable-mutable-globals', raw, '-o', opt], { stdio: 'inherit' });
    return fs.readFileSync(opt);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The loader the page runs, as source and as a function. The source loses
 * its comment lines, indentation and every space not between two word
 * characters (www/loader.js is written for that: no string literal holds a
 * space, and there is no `a - -b`).
 */
export function loader() {
  const source = fs.readFileSync(path.join(ROOT, 'www', 'loader.js'), 'utf8').split('\n')
    .filter((line) => !/^\s*(\/\/|$)/.test(line))
    .map((line) => line.trim().replace(/(?<![\w$]) +| +(?![\w$])/g, '')).join('\n');
  return { source, unpack: new Function('window', `${source}\nreturn unpack;`) };
}

/** Packs the wasm and lessons of the site in `dir` and points index.html's loader at them. */
export async function packSite(dir) {
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('_bg.wasm'));
  if (names.length !== 1) throw new Error(`expected one *_bg.wasm in ${dir}, found ${names.length}`);
  const [name] = names;
  const wasmPath = path.join(dir, name), lessonsPath = path.join(dir, 'lessons.txt'), htmlPath = path.join(dir, 'index.html');
  const wasm = fs.readFileSync(wasmPath), lessons = fs.readFileSync(lessonsPath);
  const decoder = buildDecoder();
  const pack = Buffer.concat([decoder, lzma(Buffer.concat([wasm, lessons]))]);

  // The round trip, through the page's own loader code.
  const { source, unpack } = loader();
  const page = {};
  const got = await unpack(page)(new Response(pack), decoder.length, wasm.length);
  if (Buffer.compare(Buffer.from(got), wasm) !== 0 || Buffer.compare(Buffer.from(page.replscopeLessons), lessons) !== 0) {
    throw new Error('the pack does not unpack to the wasm and lessons: not packed');
  }

  const packName = `replscope-${crypto.createHash('sha256').update(pack).digest('hex').slice(0, 16)}.pack`;
  const url = './' + packName, hash = sri(pack);
  let html = fs.readFileSync(htmlPath, 'utf8');
  const load = html.match(/module_or_path:\s*(['"`])([^'"`]*_bg\.wasm)\1/);
  if (!load) throw new Error('index.html does not load the wasm through module_or_path');
  html = html.replace(load[0], `module_or_path:fetch(${JSON.stringify(url)},{integrity:${JSON.stringify(hash)}})` +
    `.then(r=>unpack(r,${decoder.length},${wasm.length}))`);
  // The loader goes first in the module script that starts the page.
  const script = html.lastIndexOf('<script', html.indexOf('module_or_path:'));
  const body = html.indexOf('>', script) + 1;
  html = html.slice(0, body) + source + '\n' + html.slice(body);
  // The wasm's preload becomes the pack's, with the request mode and hash the fetch uses.
  html = html.replace(/<link\b[^>]*_bg\.wasm\b[^>]*>/, `<link as=fetch crossorigin href="${url}" integrity="${hash}" rel=preload>`);
  if (html.includes(name) || html.includes('lessons.txt')) throw new Error('index.html still names an unpacked file');

  fs.writeFileSync(path.join(dir, packName), pack);
  fs.writeFileSync(htmlPath, html);
  fs.unlinkSync(wasmPath);
  fs.unlinkSync(lessonsPath);
  return { wasm: wasm.length, lessons: lessons.length, decoder: decoder.length, packed: pack.length, packName };
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('usage: node .ci/pack-site.mjs DIR');
    process.exit(2);
  }
  const r = await packSite(dir);
  console.log(`pack-site: ${r.wasm} B of wasm and ${r.lessons} B of lessons packed with a ${r.decoder} B decoder into ${r.packName} (${r.packed} B)`);
}
