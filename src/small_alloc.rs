//! The wasm heap's front: free lists of small blocks in front of Talc.
//!
//! The simulation allocates and frees small buffers all the time (request
//! arguments, keys, values, replies). Talc searches and merges free gaps for
//! each of them; in the browser that was about a tenth of a fast-forward's
//! time. Here a freed block of at most 128 bytes goes on a list for its size
//! class (16-byte steps), and the next request of that class takes it back
//! in a few instructions. Each list holds at most [`MAX_CACHED`] blocks, so
//! the memory kept back stays bounded (at most about 0.6 MB in all).
//!
//! Behind the lists, Talc takes fresh memory from [`GrowInSteps`], which
//! grows the wasm memory by at least an eighth at a time: growing it page by
//! page, as Talc's own source does, cost half of a 1M-key sync's time in the
//! browser (each `memory.grow` replaces the JS view of the memory).
//!
//! Only for a single-threaded program: the lists are not synchronised.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr;

/// Size classes are multiples of this many bytes, also the blocks' alignment.
const CLASS_BYTES: usize = 16;
/// Number of classes: blocks of 16, 32, ... 128 bytes.
const CLASSES: usize = 8;
/// The most free blocks one class keeps; beyond it blocks go back to the inner allocator.
pub const MAX_CACHED: u32 = 1024;

/// A global allocator that serves small blocks from per-class free lists
/// and everything else from `inner`.
pub struct SmallBlockCache<A> {
    inner: A,
    /// Per class: the first free block (each free block holds a pointer to
    /// the next) and how many blocks the list holds.
    lists: UnsafeCell<[(*mut u8, u32); CLASSES]>,
}

// SAFETY: used only as the allocator of a single-threaded wasm module (see
// `lib.rs`), where no two calls can run at once.
unsafe impl<A: Sync> Sync for SmallBlockCache<A> {}

impl<A> SmallBlockCache<A> {
    /// Wraps `inner`, with every list empty.
    pub const fn new(inner: A) -> Self {
        SmallBlockCache { inner, lists: UnsafeCell::new([(ptr::null_mut(), 0); CLASSES]) }
    }
}

/// The class a request falls in, if it is small enough to be cached.
fn class_of(size: usize, align: usize) -> Option<usize> {
    (size > 0 && size <= CLASS_BYTES * CLASSES && align <= CLASS_BYTES).then(|| (size - 1) / CLASS_BYTES)
}

/// The layout every block of class `class` has in the inner allocator.
fn class_layout(class: usize) -> Layout {
    // SAFETY: a non-zero multiple of a power-of-two alignment, far below isize::MAX.
    unsafe { Layout::from_size_align_unchecked((class + 1) * CLASS_BYTES, CLASS_BYTES) }
}

// SAFETY: every block of a class comes from `inner` with that class's
// layout and goes back to it with the same layout; a free block's first
// bytes hold the next free block, and nothing else touches a free block.
unsafe impl<A: GlobalAlloc> GlobalAlloc for SmallBlockCache<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            let Some(class) = class_of(layout.size(), layout.align()) else { return self.inner.alloc(layout) };
            let (head, count) = &mut (*self.lists.get())[class];
            if head.is_null() {
                return self.inner.alloc(class_layout(class));
            }
            let block = *head;
            *head = *(block as *mut *mut u8);
            *count -= 1;
            block
        }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe {
            let Some(class) = class_of(layout.size(), layout.align()) else { return self.inner.dealloc(block, layout) };
            let (head, count) = &mut (*self.lists.get())[class];
            if *count >= MAX_CACHED {
                return self.inner.dealloc(block, class_layout(class));
            }
            *(block as *mut *mut u8) = *head;
            *head = block;
            *count += 1;
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old_class = class_of(layout.size(), layout.align());
        let new_class = class_of(new_size, layout.align());
        unsafe {
            match (old_class, new_class) {
                (None, None) => self.inner.realloc(block, layout, new_size),
                (Some(a), Some(b)) if a == b => block,
                _ => {
                    let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                    let moved = self.alloc(new_layout);
                    if !moved.is_null() {
                        ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                        self.dealloc(block, layout);
                    }
                    moved
                }
            }
        }
    }
}

/// Talc's source of fresh memory in the browser: grows the wasm memory by
/// at least 1 MB and at least an eighth of its size, and extends Talc's
/// heap over the new pages (or claims them when something else grew the
/// memory in between).
#[cfg(target_arch = "wasm32")]
#[derive(Debug)]
pub struct GrowInSteps {
    /// The end of Talc's heap, once it has one.
    end: Option<core::ptr::NonNull<u8>>,
}

#[cfg(target_arch = "wasm32")]
impl GrowInSteps {
    /// A source that has not grown the memory yet.
    pub const fn new() -> Self {
        GrowInSteps { end: None }
    }
}

// SAFETY: allocates nothing itself; hands Talc only pages it just obtained
// from `memory.grow`, which nothing else uses.
#[cfg(target_arch = "wasm32")]
unsafe impl talc::source::Source for GrowInSteps {
    fn acquire<B: talc::base::binning::Binning>(talc: &mut talc::base::Talc<Self, B>, layout: Layout) -> Result<(), ()> {
        use core::arch::wasm32::{memory_grow, memory_size};
        const PAGE: usize = 64 * 1024;
        // The request, its alignment and generous room for Talc's headers.
        let needed = (layout.size() + layout.align() + 4096).div_ceil(PAGE);
        let wanted = needed.max(memory_size::<0>() / 8).max(16);
        let (first_page, pages) = match memory_grow::<0>(wanted) {
            usize::MAX => match memory_grow::<0>(needed) {
                usize::MAX => return Err(()),
                first => (first, needed),
            },
            first => (first, wanted),
        };
        let base = (first_page * PAGE) as *mut u8;
        let end = base.wrapping_add(pages * PAGE);
        talc.source.end = match talc.source.end.take() {
            // SAFETY: the heap ends where the new pages begin.
            Some(old_end) if old_end.as_ptr() == base => Some(unsafe { talc.extend(old_end, end) }),
            // SAFETY: the new pages belong to nobody yet.
            _ => unsafe { talc.claim(base, pages * PAGE) },
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;

    fn layout(size: usize) -> Layout {
        Layout::from_size_align(size, 8).unwrap()
    }

    #[test]
    fn a_freed_small_block_is_served_again_to_its_class_only() {
        let heap = SmallBlockCache::new(System);
        unsafe {
            let a = heap.alloc(layout(24));
            heap.dealloc(a, layout(24));
            // 17..=32 bytes share a class: the same block comes back.
            assert_eq!(heap.alloc(layout(32)), a);
            let b = heap.alloc(layout(24));
            assert_ne!(b, a, "the list was empty again");
            heap.dealloc(b, layout(24));
            assert_ne!(heap.alloc(layout(100)), b, "another class does not take it");
        }
    }

    #[test]
    fn realloc_keeps_the_bytes_across_classes_and_into_the_inner_heap() {
        let heap = SmallBlockCache::new(System);
        unsafe {
            let mut p = heap.alloc(layout(10));
            for i in 0..10 {
                *p.add(i) = i as u8;
            }
            // Same class: the block stays where it is.
            assert_eq!(heap.realloc(p, layout(10), 16), p);
            p = heap.realloc(p, layout(16), 120);
            p = heap.realloc(p, layout(120), 5000);
            assert_eq!(std::slice::from_raw_parts(p, 10), &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
            p = heap.realloc(p, layout(5000), 3);
            assert_eq!(std::slice::from_raw_parts(p, 3), &[0, 1, 2]);
            heap.dealloc(p, layout(3));
        }
    }

    #[test]
    fn each_list_is_capped_and_large_or_aligned_requests_pass_through() {
        let heap = SmallBlockCache::new(System);
        unsafe {
            let blocks: Vec<*mut u8> = (0..MAX_CACHED + 10).map(|_| heap.alloc(layout(64))).collect();
            for &b in &blocks {
                heap.dealloc(b, layout(64));
            }
            assert_eq!((*heap.lists.get())[3].1, MAX_CACHED);
            let big = Layout::from_size_align(4096, 8).unwrap();
            let p = heap.alloc(big);
            heap.dealloc(p, big);
            let aligned = Layout::from_size_align(32, 64).unwrap();
            let q = heap.alloc(aligned);
            assert_eq!(q as usize % 64, 0);
            heap.dealloc(q, aligned);
            assert_eq!((*heap.lists.get())[1].1, 0, "over-aligned blocks are not cached");
        }
    }
}
