// The site's loader, which .ci/pack-site.mjs puts into index.html as its one
// script. The page comes in one file, the pack: one LZMA stream of the
// page's wasm, its lessons (www/lessons/, bundled in GB18030), its
// stylesheet and its wasm-bindgen glue, one after another. LZMA because it
// packs them 17% smaller than gzip -9 does (README, "Performance"); its
// decoder is src/unlzma.rs as a small wasm module of its own, which the
// packer writes into index.html in base64. The packer drops comment lines
// and every space outside a string literal that is not between two names.

// The parts of the pack in `res`, decoded by the wasm module in base64
// `decoder`: as many as `lens` gives lengths for, and the rest.
// (The page fetches the pack with its integrity hash, so a response that
// is not the pack, an HTTP error included, has already failed the fetch.)
async function unpack(res, decoder, lens) {
  const src = new Uint8Array(await res.arrayBuffer());
  const module = Uint8Array.from(atob(decoder), (c) => c.charCodeAt(0));
  const { memory, unlzma } = (await WebAssembly.instantiate(module)).instance.exports;
  // The decoded size, from the stream's header.
  let size = 0;
  for (let i = 12; i > 4; i--) size = size * 256 + src[i];
  // The stream goes at the end of the decoder's memory; it decodes after it.
  let at = memory.grow(Math.ceil(src.length / 65536)) * 65536;
  new Uint8Array(memory.buffer).set(src, at);
  const out = unlzma(at, src.length);
  if (!out) throw Error(`${res.url}: corrupt`);
  const bytes = new Uint8Array(memory.buffer, out, size), parts = [];
  at = 0;
  for (const n of lens) parts.push(bytes.slice(at, at += n));
  parts.push(bytes.slice(at));
  return parts;
}

// Starts the page from the pack at `url`: the stylesheet, the lessons for
// the page to read (window.replscopeLessons), then the glue as a module,
// which instantiates the wasm. If that fails before the page is up (the
// network, an old browser), the page says so where it said it was loading;
// the error goes on to the window either way (the crash banner listens
// there once the wasm has started: index.html awaits this).
async function start(url, integrity, decoder, lens) {
  try {
    const [wasm, lessons, css, glue] = await unpack(await fetch(url, { integrity }), decoder, lens);
    document.head.append(Object.assign(document.createElement('style'), { textContent: new TextDecoder().decode(css) }));
    window.replscopeLessons = lessons;
    const bindings = await import(URL.createObjectURL(new Blob([glue], { type: 'text/javascript' })));
    window.wasmBindings = bindings;
    await bindings.default({ module_or_path: wasm });
  } catch (e) {
    const loading = document.querySelector('.loading');
    if (loading) loading.textContent = `replscope could not start (${e}). Reloading the page may help.`;
    throw e;
  }
}
