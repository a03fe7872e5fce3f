//! Small string helpers the engine and the page share, written so the wasm
//! carries one copy of each: substring search by a plain byte-window scan
//! (find, contains, split, replace), `join`, and unsigned parsing.
//!
//! std's `&str` patterns (`contains("..")`, `split("..")`, `replace`) bring
//! the Two-Way searcher into the wasm, about 2.5 KB of code; the texts
//! searched here are short (log lines, INFO text, one reply, the lesson
//! bundle), so a naive scan is fast enough. A match of a valid UTF-8
//! needle in valid UTF-8 text always starts and ends on char boundaries,
//! so slicing at the positions these return is safe.

/// Where `needle` first occurs in `hay` (`Some(0)` for an empty needle).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    h.windows(n.len()).position(|w| w == n)
}

/// True if `needle` occurs in `hay`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `hay` split at each `sep` (non-empty), like `str::split`.
pub fn split<'a>(hay: &'a str, sep: &'a str) -> impl Iterator<Item = &'a str> {
    let mut rest = Some(hay);
    std::iter::from_fn(move || {
        let r = rest?;
        match find(r, sep).filter(|_| !sep.is_empty()) {
            Some(i) => {
                rest = Some(&r[i + sep.len()..]);
                Some(&r[..i])
            }
            None => rest.take(),
        }
    })
}

/// `hay` with every `from` (non-empty) replaced by `to`, like `str::replace`.
pub fn replace(hay: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut first = true;
    for part in split(hay, from) {
        if !first {
            out.push_str(to);
        }
        first = false;
        out.push_str(part);
    }
    out
}

/// `s.parse::<T>()` for an unsigned integer `T`, through the one `u64`
/// parser: each integer type's `FromStr` is a function of its own in the
/// wasm. The same answers: out of `T`'s range is `None` either way.
pub fn uint<T: TryFrom<u64>>(s: &str) -> Option<T> {
    s.parse::<u64>().ok().and_then(|v| T::try_from(v).ok())
}

/// `items` (`&str`s or `String`s) joined by `sep`, without std's generic
/// slice join (its code is larger, and one copy a type).
pub fn join<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_std() {
        for (hay, pat) in [("a\r\nb\r\n\r\nc", "\r\n"), ("", "x"), ("xx", "x"), ("中文 # 日志", " # "), ("abc", "abcd"), ("aaa", "aa")] {
            assert_eq!(find(hay, pat), hay.find(pat), "{hay:?} {pat:?}");
            assert_eq!(contains(hay, pat), hay.contains(pat));
            assert_eq!(split(hay, pat).collect::<Vec<_>>(), hay.split(pat).collect::<Vec<_>>(), "{hay:?} {pat:?}");
            assert_eq!(replace(hay, pat, "-"), hay.replace(pat, "-"));
        }
        assert_eq!(find("abc", ""), Some(0));
        assert_eq!(join(&["a", "b", "c"], ", "), ["a", "b", "c"].join(", "));
        assert_eq!(join::<&str>(&[], ", "), "");
        assert_eq!(join(&["a".to_string(), String::new(), "c".to_string()], "\n"), "a\n\nc");
        for s in ["0", "+7", "65535", "65536", "-1", "", "1x", "18446744073709551616"] {
            assert_eq!(uint::<u16>(s), s.parse::<u16>().ok(), "{s:?}");
            assert_eq!(uint::<usize>(s), s.parse::<usize>().ok(), "{s:?}");
        }
    }
}
