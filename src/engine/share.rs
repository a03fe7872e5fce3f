//! Share links and session scripts, pure: a session is a journal of
//! scenario lines with the virtual times they ran at; written out it is a
//! plain scenario script (`wait` lines between), so the CLI runs it too.
//! A share link carries that script base64url-encoded in the URL fragment
//! with a checksum, so a truncated or edited link is detected, never
//! half-applied.
//!
//! Fragment: `v=1&lang=zh&sel=6380&embed=1&c=<crc64 hex>&s=<base64url script>`
//! (`s` last: a cut-off link loses the end of the script, and the checksum
//! says so).

use super::crc64::crc64;
use super::net::Port;
use super::scenario;

/// Longest script a link may carry (bytes, decoded).
pub const MAX_SCRIPT: usize = 256 * 1024;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding.
pub fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url (padding and whitespace tolerated); `None` if malformed.
pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let mut digits = Vec::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_whitespace() || b == b'=' {
            continue;
        }
        digits.push(match b {
            b'+' => 62,
            b'/' => 63,
            _ => ALPHABET.iter().position(|a| *a == b)? as u8,
        });
    }
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            n |= u32::from(*d) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// One journal entry: a scenario line, when it started and when it ended
/// (virtual ms since the world began; a command takes the client's 1 ms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// When it started.
    pub at: u64,
    /// When it ended.
    pub end: u64,
    /// The line: a scenario directive or a `# @...` page marker.
    pub line: String,
}

/// A duration as the script format writes it.
pub fn duration(ms: u64) -> String {
    if ms.is_multiple_of(1000) { format!("{}s", ms / 1000) } else { format!("{ms}ms") }
}

/// The journal up to `now` as a scenario script: each entry's line, with
/// `wait` lines for the time between them and up to `now`.
pub fn to_script(entries: &[Entry], now: u64) -> String {
    let mut out = String::new();
    let mut t = 0;
    for e in entries.iter().filter(|e| e.at <= now) {
        if e.at > t {
            out.push_str(&format!("wait {}\n", duration(e.at - t)));
        }
        out.push_str(&e.line);
        out.push('\n');
        t = t.max(e.end);
    }
    if now > t {
        out.push_str(&format!("wait {}\n", duration(now - t)));
    }
    out
}

/// What a link restores besides the script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Share {
    /// The session as a scenario script.
    pub script: String,
    /// `en` or `zh`.
    pub lang: Option<String>,
    /// The selected node.
    pub sel: Option<Port>,
    /// Embedded (no page chrome).
    pub embed: bool,
}

/// Why a link could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// No `s=` parameter: not a share link (not an error for the page).
    NoScript,
    /// Base64 damaged, checksum wrong, not UTF-8, too long: truncated or edited.
    Damaged(String),
    /// The script does not parse.
    BadScript(String),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::NoScript => write!(f, "no script in the link"),
            LinkError::Damaged(m) => write!(f, "damaged link: {m}"),
            LinkError::BadScript(m) => write!(f, "the link's script is invalid: {m}"),
        }
    }
}

/// Encodes a share state as a URL fragment (without `#`).
pub fn encode(s: &Share) -> String {
    let mut out = String::from("v=1");
    if let Some(lang) = &s.lang {
        out.push_str(&format!("&lang={lang}"));
    }
    if let Some(p) = s.sel {
        out.push_str(&format!("&sel={p}"));
    }
    if s.embed {
        out.push_str("&embed=1");
    }
    let bytes = s.script.as_bytes();
    out.push_str(&format!("&c={:016x}&s={}", crc64(0, bytes), b64_encode(bytes)));
    out
}

/// The value of `name` in `a=1&b=2` (a leading `#` or `?` is skipped).
pub fn param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    let query = query.trim_start_matches(['#', '?']);
    query.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
}

/// Decodes a URL fragment made by [`encode`]; every failure is an error
/// value (never a panic), and the script is checked to parse.
pub fn decode(fragment: &str) -> Result<Share, LinkError> {
    let s = param(fragment, "s").ok_or(LinkError::NoScript)?;
    if s.len() > MAX_SCRIPT * 4 / 3 + 4 {
        return Err(LinkError::Damaged("too long".into()));
    }
    let bytes = b64_decode(s).ok_or_else(|| LinkError::Damaged("not base64url".into()))?;
    let want = param(fragment, "c").and_then(|c| u64::from_str_radix(c, 16).ok()).ok_or_else(|| LinkError::Damaged("no checksum".into()))?;
    if crc64(0, &bytes) != want {
        return Err(LinkError::Damaged("checksum mismatch (truncated?)".into()));
    }
    let script = String::from_utf8(bytes).map_err(|_| LinkError::Damaged("not UTF-8".into()))?;
    scenario::parse(&script).map_err(|e| LinkError::BadScript(e.to_string()))?;
    let lang = param(fragment, "lang").filter(|l| matches!(*l, "en" | "zh")).map(String::from);
    let sel = param(fragment, "sel").and_then(super::text::uint).filter(|p| *p > 0);
    let embed = param(fragment, "embed") == Some("1");
    Ok(Share { script, lang, sel, embed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Share {
        let script = "seed 3\nnode 6379\nwait 2s\n6379> SET k \"<script>alert(1)</script>\"\n# @step 2\nwait 150ms\n".to_string();
        Share { script, lang: Some("zh".into()), sel: Some(6380), embed: true }
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..40u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(250)).collect();
            assert_eq!(b64_decode(&b64_encode(&data)).unwrap(), data, "length {n}");
        }
        assert_eq!(b64_encode(b"hi?>"), "aGk_Pg");
        assert!(b64_decode("a").is_none());
        assert!(b64_decode("ab!c").is_none());
    }

    #[test]
    fn a_link_round_trips() {
        let s = sample();
        let frag = encode(&s);
        assert!(frag.starts_with("v=1&lang=zh&sel=6380&embed=1&c="));
        assert!(!frag.contains('<') && !frag.contains(' '));
        assert_eq!(decode(&frag).unwrap(), s);
        assert_eq!(decode(&format!("#{frag}")).unwrap(), s);
    }

    #[test]
    fn truncated_or_edited_links_are_errors() {
        let frag = encode(&sample());
        for cut in [frag.len() - 1, frag.len() - 5, frag.len() / 2, 10] {
            assert!(decode(&frag[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(decode("lang=zh"), Err(LinkError::NoScript));
        assert!(matches!(decode(&frag.replace("&c=", "&c=1")), Err(LinkError::Damaged(_))));
        let bad = "node 6379\nbogus directive\n";
        let frag = encode(&Share { script: bad.into(), ..Share::default() });
        assert!(matches!(decode(&frag), Err(LinkError::BadScript(_))));
        let not_utf8 = format!("c={:016x}&s={}", crc64(0, &[0xff, 0xfe]), b64_encode(&[0xff, 0xfe]));
        assert!(matches!(decode(&not_utf8), Err(LinkError::Damaged(_))));
        assert!(decode(&format!("c=0&s={}", "A".repeat(MAX_SCRIPT * 2))).is_err());
    }

    #[test]
    fn hostile_parameters_are_dropped() {
        let frag = encode(&sample()).replace("lang=zh", "lang=<img src=x>").replace("sel=6380", "sel=-1");
        let s = decode(&frag).unwrap();
        assert_eq!((s.lang, s.sel), (None, None));
    }

    #[test]
    fn the_journal_becomes_a_script_with_waits() {
        let e = |at, end, line: &str| Entry { at, end, line: line.into() };
        let entries = vec![e(0, 0, "seed 1"), e(0, 0, "node 6379"), e(2000, 2001, "6379> SET a 1"), e(2001, 2002, "6379> GET a"), e(5000, 5000, "cut 6379 6380")];
        assert_eq!(to_script(&entries, 5250), "seed 1\nnode 6379\nwait 2s\n6379> SET a 1\n6379> GET a\nwait 2998ms\ncut 6379 6380\nwait 250ms\n");
        assert_eq!(to_script(&entries, 2000), "seed 1\nnode 6379\nwait 2s\n6379> SET a 1\n");
    }
}
