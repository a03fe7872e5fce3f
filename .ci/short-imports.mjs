// A post-build step (a Trunk hook, see Trunk.toml): gives the wasm's imports
// from wasm-bindgen's JS glue short names, in the wasm and in the glue.
//   node .ci/short-imports.mjs DIR   (DIR holds index.html, one *_bg.wasm, its JS)
// wasm-bindgen names each import like `__wbg_setAttribute_2f6b3c1e9d0a4b57`;
// the 16 hex digits are noise gzip cannot shrink, written twice (the wasm's
// import section and the glue's import object): about 4 KB of the gzipped
// site. Each import becomes `_0`, `_1`, ... in both files, and the
// `integrity` hashes in index.html are computed again. It fails, leaving
// the files as they were, when the glue does not name every import exactly
// once as an object key.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
function leb(buf, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** An unsigned LEB128. */
function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

/** Where an import's description ends (the kinds of the wasm core spec). */
function skipDesc(buf, at) {
  const kind = buf[at++];
  const limits = (p) => { const flags = buf[p++]; [, p] = leb(buf, p); if (flags & 1) [, p] = leb(buf, p); return p; };
  if (kind === 0) return leb(buf, at)[1]; // function: type index
  if (kind === 1) return limits(at + 1); // table: ref type, limits
  if (kind === 2) return limits(at); // memory: limits
  if (kind === 3) return at + 2; // global: value type, mutability
  if (kind === 4) return leb(buf, at + 1)[1]; // tag: attribute, type index
  throw new Error(`unknown import kind ${kind}`);
}

/** The wasm with the imports from `module` renamed; the renames as [old, new]. */
export function renameImports(wasm, module) {
  const parts = [wasm.subarray(0, 8)];
  const renames = [];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, body] = leb(wasm, at + 1);
    const end = body + size;
    if (id !== 2) {
      parts.push(wasm.subarray(at, end));
      at = end;
      continue;
    }
    let [count, p] = leb(wasm, body);
    const out = [uleb(count)];
    for (; count > 0; count--) {
      const entry = p;
      const [modLen, m] = leb(wasm, p);
      const mod = wasm.subarray(m, m + modLen).toString();
      const [nameLen, n] = leb(wasm, m + modLen);
      let name = wasm.subarray(n, n + nameLen).toString();
      const desc = n + nameLen;
      p = skipDesc(wasm, desc);
      if (mod === module) {
        const short = '_' + renames.length.toString(36);
        renames.push([name, short]);
        name = short;
      }
      const nameBytes = Buffer.from(name);
      out.push(wasm.subarray(entry, m + modLen), uleb(nameBytes.length), nameBytes, wasm.subarray(desc, p));
    }
    const section = Buffer.concat(out);
    parts.push(Buffer.from([2]), uleb(section.length), section);
    at = end;
  }
  return { wasm: Buffer.concat(parts), renames };
}

/** The glue with each import key renamed; throws unless each old name occurs exactly once, as a key. */
export function renameKeys(js, renames) {
  for (const [from, to] of renames) {
    const hits = js.split(from).length - 1;
    const key = new RegExp(`([{,])${from}:`);
    if (hits !== 1 || !key.test(js)) throw new Error(`${from}: ${hits} occurrences in the JS glue, not one object key`);
    js = js.replace(key, `$1${to}:`);
  }
  return js;
}

const sri = (data) => 'sha384-' + crypto.createHash('sha384').update(data).digest('base64');

/** Renames the imports of the site in `dir` (the wasm, its glue, index.html's integrity hashes). */
export function shortImports(dir) {
  const files = fs.readdirSync(dir);
  const wasmName = files.filter((f) => f.endsWith('_bg.wasm'));
  if (wasmName.length !== 1) throw new Error(`expected one *_bg.wasm in ${dir}, found ${wasmName.length}`);
  const htmlPath = path.join(dir, 'index.html');
  let html = fs.readFileSync(htmlPath, 'utf8');
  const jsName = files.filter((f) => f.endsWith('.js') && html.includes(f));
  if (jsName.length !== 1) throw new Error(`expected one JS glue named in index.html, found ${jsName.length}`);
  const wasmPath = path.join(dir, wasmName[0]);
  const jsPath = path.join(dir, jsName[0]);
  const oldWasm = fs.readFileSync(wasmPath);
  const oldJs = fs.readFileSync(jsPath, 'utf8');
  const module = oldJs.match(/"(\.\/[\w-]+_bg\.js)":\{/)?.[1];
  if (!module) throw new Error('the JS glue has no import object for its wasm');
  const { wasm, renames } = renameImports(oldWasm, module);
  const js = renameKeys(oldJs, renames);
  for (const [from, to] of [[oldWasm, wasm], [oldJs, js]]) {
    const old = sri(from);
    if (html.includes(old)) html = html.replace(old, sri(to));
  }
  fs.writeFileSync(wasmPath, wasm);
  fs.writeFileSync(jsPath, js);
  fs.writeFileSync(htmlPath, html);
  return renames.length;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('usage: node .ci/short-imports.mjs DIR');
    process.exit(2);
  }
  console.log(`short-imports: ${shortImports(dir)} imports renamed in ${dir}`);
}
