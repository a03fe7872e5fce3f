//! The site loader's LZMA decoder as a wasm module of its own (under 2 KB):
//! `src/unlzma.rs` and one export. `.ci/pack-site.mjs` builds it with rustc
//! alone (no crate, no std) and puts it at the head of the site's pack file,
//! whose loader (`www/loader.js`) runs it to unpack the page's wasm and
//! lessons.
#![no_std]

use core::arch::wasm32::{memory_grow, memory_size};

#[path = "../src/unlzma.rs"]
mod unlzma;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

const PAGE: usize = 65536;

/// Decodes the LZMA stream of `src_len` bytes at `src` (the end of this
/// module's memory) into the memory after it, grown as needed, and returns
/// where the decoded bytes start (as many as the stream's header says), or
/// 0 when the stream is corrupt or the memory cannot grow.
///
/// # Safety
/// `src` .. `src + src_len` is this module's memory and nothing lies after it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn unlzma(src: *const u8, src_len: usize) -> usize {
    // SAFETY: the caller copied the stream there.
    let input = unsafe { core::slice::from_raw_parts(src, src_len) };
    let Ok(h) = unlzma::header(input) else { return 0 };
    // The output right after the input, then the probabilities (2-byte aligned).
    let out = src as usize + src_len;
    let Some(probs) = usize::try_from(h.size).ok().and_then(|n| out.checked_add(n)?.checked_add(1)).map(|end| end & !1) else { return 0 };
    // (No slice may be longer than isize::MAX bytes.)
    let Some(end) = probs.checked_add(2 * unlzma::probs_len(&h)).filter(|&end| end <= isize::MAX as usize) else { return 0 };
    let have = memory_size(0) * PAGE;
    if end > have && memory_grow(0, (end - have).div_ceil(PAGE)) == usize::MAX {
        return 0;
    }
    // SAFETY: both ranges are inside the memory just grown, after the input.
    let (output, scratch) = unsafe {
        (
            core::slice::from_raw_parts_mut(out as *mut u8, h.size as usize),
            core::slice::from_raw_parts_mut(probs as *mut u16, unlzma::probs_len(&h)),
        )
    };
    match unlzma::decode(input, output, scratch) {
        Ok(()) => out,
        Err(_) => 0,
    }
}
