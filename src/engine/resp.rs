//! RESP2, the Redis wire protocol: replies a server writes, the command
//! encoding used on the replication stream, and the way `redis-cli` prints
//! replies. Requests are parsed in [`super::request`], re-exported here.

use crate::engine::keyspace::Bytes;
use crate::engine::sds;
use std::borrow::Cow;

pub use super::request::{parse_command, parse_command_into, split_args, ProtocolError};

/// Largest inline request / count line Redis accepts without a newline
/// (`PROTO_INLINE_MAX_SIZE`, 64 KiB).
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;

/// Largest bulk argument a normal client may send (`proto-max-bulk-len`, 512 MiB).
pub const PROTO_MAX_BULK_LEN: i64 = 512 * 1024 * 1024;

/// One RESP2 reply as a Redis server writes it to a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Simple string `+OK` (the text without `+` and CRLF).
    Status(Cow<'static, str>),
    /// Error reply `-ERR ...`: the full text including its code (`ERR`, `WRONGTYPE`, ...).
    Error(String),
    /// Integer reply `:5`.
    Integer(i64),
    /// Bulk string `$len` + bytes.
    Bulk(Bytes),
    /// Null bulk string `$-1` (RESP2 `shared.null`).
    Nil,
    /// Multi-bulk `*n` with nested replies.
    Array(Vec<Reply>),
    /// Null multi-bulk `*-1` (RESP2 `shared.nullarray`).
    NilArray,
}

impl Reply {
    /// The `+OK` status reply (`shared.ok`).
    pub fn ok() -> Reply {
        Reply::Status(Cow::Borrowed("OK"))
    }

    /// An error reply from its full text; CR/LF are mapped to spaces as
    /// `addReplyErrorLength` would otherwise emit invalid protocol.
    pub fn error(text: impl Into<String>) -> Reply {
        let s: String = text.into();
        Reply::Error(s.replace(['\r', '\n'], " "))
    }

    /// A bulk reply from anything byte-like.
    pub fn bulk(b: impl AsRef<[u8]>) -> Reply {
        Reply::Bulk(b.as_ref().to_vec())
    }

    /// True for `-ERR ...` style replies.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// RESP2 bytes exactly as the server writes them.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Append the RESP2 bytes of this reply to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Reply::Status(s) => {
                out.push(b'+');
                out.extend_from_slice(s.as_bytes());
                push_crlf(out);
            }
            Reply::Error(s) => {
                out.push(b'-');
                out.extend_from_slice(s.as_bytes());
                push_crlf(out);
            }
            Reply::Integer(n) => {
                out.push(b':');
                if *n < 0 {
                    out.push(b'-');
                }
                push_u64(out, n.unsigned_abs());
                push_crlf(out);
            }
            Reply::Bulk(b) => {
                push_header(out, b'$', b.len() as u64);
                out.extend_from_slice(b);
                push_crlf(out);
            }
            Reply::Nil => out.extend_from_slice(b"$-1\r\n"),
            Reply::NilArray => out.extend_from_slice(b"*-1\r\n"),
            Reply::Array(items) => {
                push_header(out, b'*', items.len() as u64);
                for it in items {
                    it.encode_into(out);
                }
            }
        }
    }

    /// What `redis-cli` prints on a terminal (`cliFormatReplyTTY`), without
    /// the final newline it writes after the last line.
    pub fn to_cli(&self) -> String {
        let mut s = self.format_tty("");
        if s.ends_with('\n') {
            s.pop();
        }
        s
    }

    fn format_tty(&self, prefix: &str) -> String {
        match self {
            Reply::Error(e) => format!("(error) {}\n", e),
            Reply::Status(s) => format!("{}\n", s),
            Reply::Integer(n) => format!("(integer) {}\n", n),
            Reply::Bulk(b) => format!("{}\n", repr(b)),
            Reply::Nil | Reply::NilArray => "(nil)\n".to_string(),
            Reply::Array(items) if items.is_empty() => "(empty array)\n".to_string(),
            Reply::Array(items) => {
                let mut idxlen = 0usize;
                let mut i = items.len();
                loop {
                    idxlen += 1;
                    i /= 10;
                    if i == 0 {
                        break;
                    }
                }
                let child_prefix = format!("{}{}", prefix, " ".repeat(idxlen + 2));
                let mut out = String::new();
                for (i, it) in items.iter().enumerate() {
                    let p = if i == 0 { "" } else { prefix };
                    out.push_str(&format!("{}{:>width$}) ", p, i + 1, width = idxlen));
                    out.push_str(&it.format_tty(&child_prefix));
                }
                out
            }
        }
    }

    /// What `redis-cli` prints for commands it shows verbatim, such as INFO
    /// (`cliFormatReplyRaw`): bulk and status text raw, errors with a
    /// newline, nil as nothing, array elements separated by newlines.
    pub fn to_cli_raw(&self) -> String {
        match self {
            Reply::Nil | Reply::NilArray => String::new(),
            Reply::Error(e) => format!("{}\n", e),
            Reply::Status(s) => s.to_string(),
            Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            Reply::Integer(n) => n.to_string(),
            Reply::Array(items) => {
                let lines: Vec<String> = items.iter().map(Reply::to_cli_raw).collect();
                super::text::join(&lines, "\n")
            }
        }
    }
}

/// `sdscatrepr`: a double-quoted, escaped rendering of binary-safe bytes
/// (`\n`, `\r`, `\t`, `\a`, `\b`, `\\`, `\"`, and `\xNN` for the rest of
/// the non-printables).
pub fn repr(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() + 2);
    s.push('"');
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x07 => s.push_str("\\a"),
            0x08 => s.push_str("\\b"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{:02x}", c)),
        }
    }
    s.push('"');
    s
}

/// Encode a command as a RESP multi-bulk (`*N\r\n$len\r\narg\r\n`...), the
/// form commands take on the replication stream.
pub fn encode_command(argv: &[Bytes]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(argv));
    encode_command_into(&mut out, argv);
    out
}

/// Appends the RESP array of bulk strings for `argv` to `out`. Room for
/// the longest it can be is made once and the bytes are written through a
/// cursor: in the size-built wasm a push per byte loaded and stored the
/// vector's length each time (this runs for every command a master feeds
/// its replicas).
pub fn encode_command_into(out: &mut Vec<u8>, argv: &[Bytes]) {
    // A header is at most 23 bytes: a prefix, 20 digits, CRLF.
    let mut most = 23;
    for a in argv {
        most += 23 + a.len() + 2;
    }
    if out.capacity() - out.len() < most {
        out.reserve(most);
    }
    // SAFETY: at most `most` bytes are written from the end of `out`,
    // inside its capacity; each argument is copied from its own buffer,
    // which cannot overlap `out` (borrowed mutably); `set_len` counts
    // only bytes written.
    unsafe {
        let start = out.as_mut_ptr().add(out.len());
        let mut p = put_header(start, b'*', argv.len() as u64);
        for a in argv {
            p = put_header(p, b'$', a.len() as u64);
            sds::copy(a.as_ptr(), p, a.len());
            p = p.add(a.len());
            p.write(b'\r');
            p.add(1).write(b'\n');
            p = p.add(2);
        }
        out.set_len(out.len() + p.offset_from(start) as usize);
    }
}

/// Writes a RESP line header at `p` (`prefix`, `n` in decimal, CRLF);
/// returns where it ends.
///
/// # Safety
/// `p` must be writable for 23 bytes.
#[inline(always)]
unsafe fn put_header(p: *mut u8, prefix: u8, n: u64) -> *mut u8 {
    // SAFETY: at most 1 + 20 + 2 bytes from `p`, as the caller allows.
    unsafe {
        p.write(prefix);
        // Counts and lengths are mostly below 100: written here.
        let digits = if n < 10 {
            p.add(1).write(b'0' + n as u8);
            1
        } else if n < 100 {
            let r = n as u32;
            p.add(1).write(b'0' + (r / 10) as u8);
            p.add(2).write(b'0' + (r % 10) as u8);
            2
        } else {
            put_decimal(p.add(1), n)
        };
        let q = p.add(1 + digits);
        q.write(b'\r');
        q.add(1).write(b'\n');
        q.add(2)
    }
}

/// Writes `n` in decimal at `p`; returns how many digits.
///
/// # Safety
/// `p` must be writable for 20 bytes.
unsafe fn put_decimal(p: *mut u8, n: u64) -> usize {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n;
    while rest > u64::from(u32::MAX) {
        digits[len] = b'0' + (rest % 10) as u8;
        rest /= 10;
        len += 1;
    }
    // In 32-bit arithmetic from here: in wasm a 64-bit division by a
    // constant is a 128-bit multiply, a library call.
    let mut small = rest as u32;
    loop {
        digits[len] = b'0' + (small % 10) as u8;
        small /= 10;
        len += 1;
        if small == 0 {
            break;
        }
    }
    for i in 0..len {
        // SAFETY: `len <= 20` bytes from `p`, as the caller allows.
        unsafe { p.add(i).write(digits[len - 1 - i]) };
    }
    len
}

/// Appends a RESP line header: `prefix`, `n` in decimal, CRLF.
fn push_header(out: &mut Vec<u8>, prefix: u8, n: u64) {
    if out.capacity() - out.len() < 23 {
        out.reserve(23);
    }
    // SAFETY: a header is at most 23 bytes, inside the capacity from the
    // end of `out`; `set_len` counts only the bytes `put_header` wrote.
    unsafe {
        let start = out.as_mut_ptr().add(out.len());
        let end = put_header(start, prefix, n);
        out.set_len(out.len() + end.offset_from(start) as usize);
    }
}

/// Byte by byte: in wasm a `memory.copy` of two bytes costs more than two pushes.
#[inline(always)]
fn push_crlf(out: &mut Vec<u8>) {
    sds::push(out, b'\r');
    sds::push(out, b'\n');
}

/// Appends `n` in decimal (`ll2string`), without the formatting machinery:
/// room is made once and the digits written in place (a write load names
/// a key this way for every write).
pub fn push_u64(out: &mut Vec<u8>, n: u64) {
    if out.capacity() - out.len() < 20 {
        out.reserve(20);
    }
    // SAFETY: at most 20 digits are written after the length, inside the
    // capacity, and counted only once written.
    unsafe {
        let len = out.len();
        let digits = put_decimal(out.as_mut_ptr().add(len), n);
        out.set_len(len + digits);
    }
}

fn decimal_len(mut n: usize) -> usize {
    let mut l = 1;
    while n >= 10 {
        n /= 10;
        l += 1;
    }
    l
}

/// Number of bytes `encode_command(argv)` produces: what the command adds
/// to `master_repl_offset` when it is fed to the replication stream.
pub fn encoded_len(argv: &[Bytes]) -> usize {
    let mut n = 1 + decimal_len(argv.len()) + 2;
    for a in argv {
        n += 1 + decimal_len(a.len()) + 2 + a.len() + 2;
    }
    n
}

/// `string2ll`: Redis's strict decimal integer parser (no `+`, no spaces,
/// no leading zeros, at most 20 characters, no overflow).
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = if s[0] == b'-' { (true, &s[1..]) } else { (false, s) };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        if v > i64::MAX as u64 {
            return None;
        }
        Some(v as i64)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn encoded_commands_are_resp_arrays_whatever_the_lengths() {
        let mut out = b"kept".to_vec();
        let mut want = b"kept".to_vec();
        for len in [0usize, 1, 9, 10, 99, 100, 999, 1000, 4095, 12345, 70_000] {
            let argv = vec![b"SET".to_vec(), vec![b'k'; len % 40], vec![b'v'; len]];
            encode_command_into(&mut out, &argv);
            want.extend(format!("*3\r\n$3\r\nSET\r\n${}\r\n{}\r\n${len}\r\n", len % 40, "k".repeat(len % 40)).into_bytes());
            want.extend(vec![b'v'; len]);
            want.extend(b"\r\n");
        }
        let many: Vec<Bytes> = (0..123).map(|i| vec![b'a'; i]).collect();
        encode_command_into(&mut out, &many);
        want.extend(b"*123\r\n");
        for i in 0..123 {
            want.extend(format!("${i}\r\n{}\r\n", "a".repeat(i)).into_bytes());
        }
        assert_eq!(out, want);
        assert_eq!(encoded_len(&many), encode_command(&many).len());
        for n in [0u64, 7, 10, 99, 100, 101, 4_294_967_295, 4_294_967_296, u64::MAX] {
            let mut buf = [0u8; 20];
            // SAFETY: 20 writable bytes.
            let len = unsafe { put_decimal(buf.as_mut_ptr(), n) };
            assert_eq!(&buf[..len], n.to_string().as_bytes());
        }
    }

    /// Test shorthand: a string's bytes.
    pub(crate) fn b(s: &str) -> Bytes {
        s.as_bytes().to_vec()
    }

    /// Test shorthand: an argv of strings.
    pub(crate) fn args(v: &[&str]) -> Vec<Bytes> {
        v.iter().map(|s| b(s)).collect()
    }

    #[test]
    fn encodes_every_reply_type_as_resp2() {
        assert_eq!(Reply::ok().encode(), b"+OK\r\n");
        assert_eq!(Reply::Error("ERR x".into()).encode(), b"-ERR x\r\n");
        assert_eq!(Reply::Integer(-3).encode(), b":-3\r\n");
        assert_eq!(Reply::bulk("redis").encode(), b"$5\r\nredis\r\n");
        assert_eq!(Reply::Nil.encode(), b"$-1\r\n");
        assert_eq!(Reply::NilArray.encode(), b"*-1\r\n");
        assert_eq!(
            Reply::Array(vec![Reply::bulk("a"), Reply::Integer(1)]).encode(),
            b"*2\r\n$1\r\na\r\n:1\r\n"
        );
        assert_eq!(Reply::Array(vec![]).encode(), b"*0\r\n");
    }

    #[test]
    fn error_constructor_maps_newlines_to_spaces() {
        assert_eq!(Reply::error("ERR a\r\nb"), Reply::Error("ERR a  b".into()));
    }

    #[test]
    fn encoded_len_matches_measured_stream_sizes() {
        assert_eq!(encoded_len(&args(&["SELECT", "0"])), 23);
        assert_eq!(encoded_len(&args(&["ping"])), 14);
        assert_eq!(encoded_len(&args(&["REPLCONF", "GETACK", "*"])), 37);
        assert_eq!(encoded_len(&args(&["MULTI"])), 15);
        assert_eq!(encoded_len(&args(&["EXEC"])), 14);
        assert_eq!(encoded_len(&args(&["set", "hello", "redis"])), 35);
        let big = vec![vec![b'x'; 1000]; 12];
        assert_eq!(encoded_len(&big), encode_command(&big).len());
    }

    #[test]
    fn encode_command_writes_multibulk() {
        assert_eq!(
            encode_command(&args(&["SELECT", "0"])),
            b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n".to_vec()
        );
    }

    #[test]
    fn cli_formats_scalars_like_redis_cli() {
        assert_eq!(Reply::ok().to_cli(), "OK");
        assert_eq!(Reply::bulk("redis").to_cli(), "\"redis\"");
        assert_eq!(Reply::Integer(5).to_cli(), "(integer) 5");
        assert_eq!(Reply::Nil.to_cli(), "(nil)");
        assert_eq!(Reply::NilArray.to_cli(), "(nil)");
        assert_eq!(
            Reply::Error("ERR syntax error".into()).to_cli(),
            "(error) ERR syntax error"
        );
        assert_eq!(Reply::Array(vec![]).to_cli(), "(empty array)");
    }

    #[test]
    fn cli_quotes_bulk_like_sdscatrepr() {
        assert_eq!(
            Reply::bulk(b"a\n\"b\\\x01\xff\t\r\x07\x08 ~").to_cli(),
            "\"a\\n\\\"b\\\\\\x01\\xff\\t\\r\\a\\b ~\""
        );
    }

    #[test]
    fn cli_formats_nested_arrays_like_redis_cli() {
        // ROLE on a master with two replicas, as redis-cli prints it.
        let r = Reply::Array(vec![
            Reply::bulk("master"),
            Reply::Integer(409),
            Reply::Array(vec![
                Reply::Array(vec![
                    Reply::bulk("127.0.0.1"),
                    Reply::bulk("7002"),
                    Reply::bulk("409"),
                ]),
                Reply::Array(vec![]),
            ]),
        ]);
        let expected = "1) \"master\"\n2) (integer) 409\n3) 1) 1) \"127.0.0.1\"\n      2) \"7002\"\n      3) \"409\"\n   2) (empty array)";
        assert_eq!(r.to_cli(), expected);
    }

    #[test]
    fn cli_pads_indices_to_widest_number() {
        let items: Vec<Reply> = (0..10).map(|i| Reply::bulk(i.to_string())).collect();
        let out = Reply::Array(items).to_cli();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], " 1) \"0\"");
        assert_eq!(lines[9], "10) \"9\"");
        let nested = Reply::Array(
            (0..10)
                .map(|_| Reply::Array(vec![Reply::Integer(1), Reply::Integer(2)]))
                .collect(),
        );
        let out = nested.to_cli();
        assert!(out.starts_with(" 1) 1) (integer) 1\n    2) (integer) 2\n 2) 1) "));
    }

    #[test]
    fn cli_raw_prints_bulk_verbatim() {
        let r = Reply::bulk("# Replication\r\nrole:master\r\n");
        assert_eq!(r.to_cli_raw(), "# Replication\r\nrole:master\r\n");
        assert_eq!(Reply::Nil.to_cli_raw(), "");
        assert_eq!(Reply::Error("ERR x".into()).to_cli_raw(), "ERR x\n");
        assert_eq!(
            Reply::Array(vec![Reply::bulk("a"), Reply::Integer(2)]).to_cli_raw(),
            "a\n2"
        );
    }

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-12"), Some(-12));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [&b"+1"[..], b"01", b" 1", b"1 ", b"-", b"", b"-0", b"9223372036854775808", b"1.0"] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}