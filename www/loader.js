// The site's loader, which .ci/pack-site.mjs inlines into index.html. The
// page's wasm and its lessons come in one file, the pack: the small wasm
// module of the LZMA decoder (src/unlzma.rs, `decoderLen` bytes), then one
// LZMA stream of the page's wasm (`wasmLen` bytes) followed by the lessons
// (www/lessons/, bundled in GB18030). LZMA because it packs the wasm 17%
// smaller than gzip -9 does (README, "Performance"). `unpack` takes the
// response for the pack, hands the lessons to the page as
// window.replscopeLessons and returns the page's wasm. No string literal
// here holds a space: the packer drops spaces not between two names.
async function unpack(res, decoderLen, wasmLen) {
  if (!res.ok) throw Error(res.url + ':' + res.status);
  const pack = new Uint8Array(await res.arrayBuffer()), src = pack.subarray(decoderLen);
  const { memory, unlzma } = (await WebAssembly.instantiate(pack.subarray(0, decoderLen))).instance.exports;
  // The decoded size, from the stream's header.
  let size = 0;
  for (let i = 12; i > 4; i--) size = size * 256 + src[i];
  // The stream goes at the end of the decoder's memory; it decodes after it.
  const at = memory.grow(Math.ceil(src.length / 65536)) * 65536;
  new Uint8Array(memory.buffer).set(src, at);
  const out = unlzma(at, src.length);
  if (!out) throw Error('corrupt:' + res.url);
  const bytes = new Uint8Array(memory.buffer, out, size);
  window.replscopeLessons = bytes.slice(wasmLen);
  return bytes.slice(0, wasmLen);
}
