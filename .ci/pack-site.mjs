// A post-build step (the Trunk hook in Trunk.toml, after the lessons are
// bundled and short-imports.mjs has run): packs the page's wasm, lessons,
// stylesheet and wasm-bindgen glue into one LZMA-compressed file, and has
// index.html start the page from it.
//   node .ci/pack-site.mjs DIR   (DIR: Trunk's output, with lessons.txt)
// `xz --format=lzma` packs the wasm to ~131 KB where gzip -9 makes ~158 KB:
// LZMA's whole-file dictionary and adaptive bit coding find what gzip's
// 32 KB window and Huffman codes miss (the stylesheet and glue gain ~10%).
// Browsers have no LZMA decoder, so the page brings one: src/unlzma.rs
// built alone into a ~2 KB wasm module (.ci/unlzma-wasm.rs), which decodes
// the ~434 KB in about 15 ms, where the same decoder in JavaScript took
// 45-100 ms on a cold page. It sits in index.html in base64 (hosts gzip
// HTML, not binary files: 1.6 KB sent instead of 2.2). The pack,
// `replscope-HASH.pack`, is one LZMA stream: wasm, lessons.txt, CSS, glue.
// index.html keeps a few inline style rules for the moment before the pack
// arrives, and its one script becomes www/loader.js, which fetches the
// pack with its integrity hash and starts the page. Before anything is written, the pack
// is unpacked here by that same loader code and decoder and compared byte
// for byte; on any difference the step fails and leaves DIR as it was.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
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

/** `line` without the spaces that are neither in a string literal nor between two names. */
function squeeze(line) {
  return line.split(/('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/(?<![\w$]) +| +(?![\w$])/g, ''))).join('');
}

/**
 * The loader the page runs, as source and its `unpack` as a function. The
 * source loses its comment lines, indentation and every space outside a
 * string literal that is not between two names (www/loader.js has no
 * `a - -b`, no regular expression and no literal across lines).
 */
export function loader() {
  const source = fs.readFileSync(path.join(ROOT, 'www', 'loader.js'), 'utf8').split('\n')
    .filter((line) => !/^\s*(\/\/|$)/.test(line))
    .map((line) => squeeze(line.trim())).join('\n');
  return { source, unpack: new Function(`${source}\nreturn unpack;`)() };
}

/** The attributes of a start tag (`<link a=b c="d e">`), names lower-cased, values unquoted. */
function attributes(tag) {
  const attrs = {};
  for (const m of tag.matchAll(/([\w:-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/g)) {
    attrs[m[1].toLowerCase()] = (m[2] || '').replace(/^["']|["']$/g, '');
  }
  return attrs;
}

/** The one `<link>` of `html` that `test` accepts (by its attributes), or a failure naming `what`. */
function oneLink(html, what, test) {
  const all = [...html.matchAll(/<link\b[^>]*>/g)].filter((m) => test(attributes(m[0].slice(5, -1))));
  if (all.length !== 1) throw new Error(`index.html: expected one ${what}, found ${all.length}`);
  return { tag: all[0][0], href: attributes(all[0][0].slice(5, -1)).href };
}

/** Where `href` (relative to the site's public URL, as Trunk writes it) points under `dir`: its file name. */
function fileOf(href) {
  return href.slice(href.lastIndexOf('/') + 1);
}

/** Packs the site in `dir` (its wasm, lessons, stylesheet and glue) and has index.html start from the pack. */
export async function packSite(dir) {
  const htmlPath = path.join(dir, 'index.html');
  let html = fs.readFileSync(htmlPath, 'utf8');
  // What Trunk wrote, in whatever attribute order and quoting (minified or
  // not) and under whatever public URL (`./`, `/`, `/sub/`): the
  // stylesheet's link, the glue's modulepreload, the wasm's preload and
  // the module script that imports the glue and starts it.
  const cssLink = oneLink(html, 'stylesheet link', (a) => a.rel === 'stylesheet' && a.href?.endsWith('.css'));
  const gluePreload = oneLink(html, 'modulepreload of the glue', (a) => a.rel === 'modulepreload' && a.href?.endsWith('.js'));
  const wasmPreload = oneLink(html, 'preload of the wasm', (a) => a.rel === 'preload' && a.href?.endsWith('_bg.wasm'));
  const boots = [...html.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)].filter((m) => attributes(m[1]).type === 'module');
  if (boots.length !== 1) throw new Error(`index.html: expected one module script, found ${boots.length}`);
  const boot = boots[0];
  if (!boot[2].includes(gluePreload.href) || !boot[2].includes(wasmPreload.href)) {
    throw new Error('index.html: the module script does not start the glue and wasm it preloads');
  }
  const [css, glue, wasmName] = [cssLink, gluePreload, wasmPreload].map((l) => fileOf(l.href));

  const names = [wasmName, 'lessons.txt', css, glue];
  const files = names.map((f) => fs.readFileSync(path.join(dir, f)));
  // The glue is imported from a blob URL, where relative imports (wasm-bindgen's `snippets/`) cannot resolve.
  if (/\bimport\s*(\(\s*)?["'`]\.{0,2}\//.test(files[3]) || /\bfrom\s*["'`]\.{0,2}\//.test(files[3])) {
    throw new Error(`${glue} imports a relative module: it cannot be loaded from the pack`);
  }
  const decoder = buildDecoder();
  const pack = lzma(Buffer.concat(files)), decoderBase64 = decoder.toString('base64');
  const lens = files.slice(0, -1).map((f) => f.length);

  // The round trip, through the page's own loader code.
  const { source, unpack } = loader();
  const parts = await unpack(new Response(pack), decoderBase64, lens);
  if (parts.length !== files.length || parts.some((p, i) => Buffer.compare(Buffer.from(p), files[i]) !== 0)) {
    throw new Error('the pack does not unpack to the files it packed: not packed');
  }

  const packName = `replscope-${crypto.createHash('sha256').update(pack).digest('hex').slice(0, 16)}.pack`;
  // The pack sits beside the wasm, under the same public URL.
  const url = wasmPreload.href.slice(0, wasmPreload.href.length - wasmName.length) + packName, integrity = sri(pack);
  const start = `<script type=module>${source}\nawait start(${JSON.stringify(url)},${JSON.stringify(integrity)},${JSON.stringify(decoderBase64)},${JSON.stringify(lens)});</script>`;
  // Function replacers: `$` in the new text is meant as written.
  html = html.replace(cssLink.tag, () => '').replace(gluePreload.tag, () => '')
    .replace(wasmPreload.tag, () => `<link as=fetch crossorigin href="${url}" integrity="${integrity}" rel=preload>`)
    .replace(boot[0], () => start);
  for (const f of names) {
    if (html.includes(f)) throw new Error(`index.html still names ${f}`);
  }

  fs.writeFileSync(path.join(dir, packName), pack);
  fs.writeFileSync(htmlPath, html);
  for (const f of names) fs.unlinkSync(path.join(dir, f));
  return { files: Object.fromEntries(names.map((f, i) => [f, files[i].length])), decoder: decoder.length, packed: pack.length, packName };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('usage: node .ci/pack-site.mjs DIR');
    process.exit(2);
  }
  const r = await packSite(dir);
  const what = Object.entries(r.files).map(([f, n]) => `${f} (${n} B)`).join(', ');
  console.log(`pack-site: ${what} packed into ${r.packName} (${r.packed} B); its ${r.decoder} B decoder is in index.html`);
}
