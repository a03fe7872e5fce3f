//! One small sort for the engine: a heap sort by key.
//!
//! The standard library's sorts (driftsort, ipnsort) add 3 to 5 KB of wasm
//! for every element type they are used with; this one adds a few hundred
//! bytes and still takes O(n log n). It is not stable, so callers sort
//! values whose keys are distinct or whose equal elements are identical
//! (integers, a table with unique names): the result is then exactly what
//! `sort`/`sort_unstable` give.

/// Sorts `v` in ascending order: one instance of the sort per element
/// type, where each caller's own key closure would make one more.
pub fn sort<T: Ord + Copy>(v: &mut [T]) {
    sort_by_key(v, |x| *x);
}

/// Sorts `v` in ascending order of `key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    for root in (0..v.len() / 2).rev() {
        sift_down(v, root, &key);
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(&mut v[..end], 0, &key);
    }
}

/// Moves `v[root]` down the max-heap `v` until both children are smaller.
fn sift_down<T, K: Ord>(v: &mut [T], mut root: usize, key: &impl Fn(&T) -> K) {
    loop {
        let mut child = 2 * root + 1;
        if child >= v.len() {
            return;
        }
        if child + 1 < v.len() && key(&v[child]) < key(&v[child + 1]) {
            child += 1;
        }
        if key(&v[root]) >= key(&v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_sort() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in [0, 1, 2, 3, 7, 64, 513, 2000] {
            let mut v: Vec<i64> = (0..len).map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 97) as i64 - 48
            }).collect();
            let mut want = v.clone();
            want.sort();
            sort_by_key(&mut v, |n| *n);
            assert_eq!(v, want, "len {len}");
        }
        let mut pairs = vec![(3u128, "c"), (1, "a"), (2, "b")];
        sort_by_key(&mut pairs, |p| p.0);
        assert_eq!(pairs, vec![(1, "a"), (2, "b"), (3, "c")]);
        let mut desc: Vec<i64> = (0..100).rev().collect();
        sort_by_key(&mut desc, |n| *n);
        assert_eq!(desc, (0..100).collect::<Vec<i64>>());
    }
}
