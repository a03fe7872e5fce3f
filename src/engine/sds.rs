//! Appending to byte buffers on the per-command path, as Redis's `sds`
//! strings do (`sdscatlen`, `sdscpylen`): check the free room, copy, move
//! the length.
//!
//! Why not `Vec::push` and `extend_from_slice`: the site's wasm is built
//! for size, where neither is inlined. Each push is then a call, and each
//! copy is two calls plus a `memory.copy`, which V8 runs as a call out of
//! the wasm (about 7 ns whatever the length, against 2 to 6 ns for the
//! loads and stores of a short copy). A command's arguments, RESP headers
//! and values are mostly short, so these helpers inline the usual case and
//! copy up to 32 bytes with plain loads and stores; growing stays a call.

/// Appends one byte (`sdscatlen` of one byte).
#[inline(always)]
pub fn push(buf: &mut Vec<u8>, byte: u8) {
    if buf.len() == buf.capacity() {
        grow(buf, 1);
    }
    let len = buf.len();
    // SAFETY: `len < capacity` after the check above, so the byte written
    // is inside the allocation, and it is initialised before `set_len`.
    unsafe {
        buf.as_mut_ptr().add(len).write(byte);
        buf.set_len(len + 1);
    }
}

/// Appends `src` (`sdscatlen`).
#[inline(always)]
pub fn cat(buf: &mut Vec<u8>, src: &[u8]) {
    let n = src.len();
    if buf.capacity() - buf.len() < n {
        grow(buf, n);
    }
    let len = buf.len();
    // SAFETY: `capacity - len >= n` after the check above, so the `n`
    // bytes written are inside the allocation; `src` cannot overlap them
    // (it is borrowed while `buf` is borrowed mutably); all `n` are
    // initialised before `set_len`.
    unsafe {
        copy(src.as_ptr(), buf.as_mut_ptr().add(len), n);
        buf.set_len(len + n);
    }
}

/// Replaces the contents of `buf` with `src` (`sdscpylen`), keeping its
/// allocation.
#[inline(always)]
pub fn cpy(buf: &mut Vec<u8>, src: &[u8]) {
    buf.clear();
    cat(buf, src);
}

/// Whether `a` and `b` hold the same bytes (`sdscmp` == 0). Four to 16
/// bytes (keys, command names) with two loads a side instead of a call to
/// `memcmp`.
#[inline(always)]
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Eight to sixteen bytes: the first eight and the last eight (the
    // two overlap below sixteen). One unsigned comparison each.
    if n.wrapping_sub(8) <= 8 {
        return word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8);
    }
    // Four to seven: the first four and the last four.
    if n.wrapping_sub(4) <= 3 {
        return word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4);
    }
    eq_other(a, b)
}

/// [`eq`] for other lengths, out of line: the slices go by value, so a
/// caller keeps no stack frame for them (comparing them in place took one).
#[inline(never)]
fn eq_other(a: &[u8], b: &[u8]) -> bool {
    a == b
}

/// The four bytes of `s` at `at` as one little-endian number.
#[inline(always)]
fn word4(s: &[u8], at: usize) -> u32 {
    let w = &s[at..at + 4];
    u32::from_le_bytes([w[0], w[1], w[2], w[3]])
}

/// The eight bytes of `s` at `at` as one little-endian number (a
/// function, not a closure: in the size-built wasm a closure is a call).
#[inline(always)]
pub fn word(s: &[u8], at: usize) -> u64 {
    // Byte by byte from a slice of known length: one load once optimised
    // (`copy_from_slice` stays a call at opt-level "z").
    let w = &s[at..at + 8];
    u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]])
}

/// Appends `item` to a vector of anything: [`push`]'s fast path for the
/// vectors the per-command path fills (a command's ops).
#[inline(always)]
pub fn push_item<T>(v: &mut Vec<T>, item: T) {
    if v.len() == v.capacity() {
        grow_items(v);
    }
    let len = v.len();
    // SAFETY: `len < capacity` after the check above; the slot is written
    // before `set_len` counts it.
    unsafe {
        v.as_mut_ptr().add(len).write(item);
        v.set_len(len + 1);
    }
}

#[cold]
#[inline(never)]
fn grow_items<T>(v: &mut Vec<T>) {
    v.reserve(1);
}

/// Puts a buffer taken out with `mem::take` back into `slot`. The empty
/// vector `take` left there is forgotten instead of dropped: it owns no
/// memory, and its drop glue is a chain of calls in the size-built wasm.
#[inline(always)]
pub fn put_back<T>(slot: &mut Vec<T>, buf: Vec<T>) {
    let old = std::mem::replace(slot, buf);
    if old.capacity() == 0 {
        std::mem::forget(old);
    }
}

/// The slow path, out of line: room for `additional` more bytes.
#[cold]
#[inline(never)]
fn grow(buf: &mut Vec<u8>, additional: usize) {
    buf.reserve(additional);
}

/// Copies `n` bytes from `src` to `dst`. Up to 32 bytes with at most four
/// possibly overlapping loads and stores (no loop, so nothing for the
/// optimiser to turn back into a `memory.copy`); longer ones as a block.
///
/// # Safety
/// `src` must be readable and `dst` writable for `n` bytes, and the two
/// ranges must not overlap.
#[inline(always)]
pub(crate) unsafe fn copy(src: *const u8, dst: *mut u8, n: usize) {
    // SAFETY (every block below): each access lies within the first `n`
    // bytes of its range, which the caller guarantees.
    unsafe {
        if n > 32 {
            std::ptr::copy_nonoverlapping(src, dst, n);
        } else if n >= 16 {
            let a = src.cast::<u64>().read_unaligned();
            let b = src.add(8).cast::<u64>().read_unaligned();
            let c = src.add(n - 16).cast::<u64>().read_unaligned();
            let d = src.add(n - 8).cast::<u64>().read_unaligned();
            dst.cast::<u64>().write_unaligned(a);
            dst.add(8).cast::<u64>().write_unaligned(b);
            dst.add(n - 16).cast::<u64>().write_unaligned(c);
            dst.add(n - 8).cast::<u64>().write_unaligned(d);
        } else if n >= 8 {
            let a = src.cast::<u64>().read_unaligned();
            let b = src.add(n - 8).cast::<u64>().read_unaligned();
            dst.cast::<u64>().write_unaligned(a);
            dst.add(n - 8).cast::<u64>().write_unaligned(b);
        } else if n >= 4 {
            let a = src.cast::<u32>().read_unaligned();
            let b = src.add(n - 4).cast::<u32>().read_unaligned();
            dst.cast::<u32>().write_unaligned(a);
            dst.add(n - 4).cast::<u32>().write_unaligned(b);
        } else if n > 0 {
            // One to three bytes: first, middle and last (some the same).
            let (a, b, c) = (*src, *src.add(n / 2), *src.add(n - 1));
            *dst = a;
            *dst.add(n / 2) = b;
            *dst.add(n - 1) = c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cat_and_cpy_copy_every_length_exactly() {
        let src: Vec<u8> = (0..100u8).collect();
        for n in 0..=100 {
            let mut buf = b"head".to_vec();
            cat(&mut buf, &src[..n]);
            assert_eq!(&buf[..4], b"head");
            assert_eq!(&buf[4..], &src[..n], "cat of {n} bytes");
            cpy(&mut buf, &src[100 - n..]);
            assert_eq!(buf, &src[100 - n..], "cpy of {n} bytes");
        }
    }

    #[test]
    fn eq_compares_every_length_exactly() {
        let a: Vec<u8> = (0..40u8).collect();
        for n in 0..=40 {
            assert!(eq(&a[..n], &a[..n]));
            assert!(!eq(&a[..n], &a[..n.saturating_sub(1)]) || n == 0);
            for i in 0..n {
                let mut b = a[..n].to_vec();
                b[i] ^= 0x20;
                assert!(!eq(&a[..n], &b), "a difference at {i} of {n}");
            }
        }
    }

    #[test]
    fn put_back_keeps_the_buffer_and_push_item_appends() {
        let mut slot: Vec<String> = Vec::new();
        let mut taken = std::mem::take(&mut slot);
        push_item(&mut taken, "a".to_string());
        push_item(&mut taken, "b".to_string());
        put_back(&mut slot, taken);
        assert_eq!(slot, ["a", "b"]);
        // A full slot put back over is dropped, not leaked or kept.
        put_back(&mut slot, vec!["c".to_string()]);
        assert_eq!(slot, ["c"]);
    }

    #[test]
    fn push_and_cat_grow_an_empty_buffer() {
        let mut buf = Vec::new();
        for i in 0..50u8 {
            push(&mut buf, i);
            cat(&mut buf, &[i; 7]);
        }
        assert_eq!(buf.len(), 400);
        assert_eq!(&buf[392..], &[49, 49, 49, 49, 49, 49, 49, 49]);
    }
}
