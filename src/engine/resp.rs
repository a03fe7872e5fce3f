//! RESP2, the Redis wire protocol: replies a server writes, the request
//! parser a server runs on its query buffer (`processMultibulkBuffer` /
//! `processInlineBuffer` in networking.c), the command encoding used on the
//! replication stream, and the way `redis-cli` prints replies.

use crate::engine::keyspace::Bytes;
use std::borrow::Cow;
use std::fmt;

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
                out.extend_from_slice(b"\r\n");
            }
            Reply::Error(s) => {
                out.push(b'-');
                out.extend_from_slice(s.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Reply::Integer(n) => {
                if *n < 0 {
                    push_header(out, b":-", n.unsigned_abs());
                } else {
                    push_header(out, b":", *n as u64);
                }
            }
            Reply::Bulk(b) => {
                push_header(out, b"$", b.len() as u64);
                out.extend_from_slice(b);
                out.extend_from_slice(b"\r\n");
            }
            Reply::Nil => out.extend_from_slice(b"$-1\r\n"),
            Reply::NilArray => out.extend_from_slice(b"*-1\r\n"),
            Reply::Array(items) => {
                push_header(out, b"*", items.len() as u64);
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
            Reply::Array(items) => items
                .iter()
                .map(|r| r.to_cli_raw())
                .collect::<Vec<_>>()
                .join("\n"),
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

/// Appends the RESP array of bulk strings for `argv` to `out`.
pub fn encode_command_into(out: &mut Vec<u8>, argv: &[Bytes]) {
    push_header(out, b"*", argv.len() as u64);
    for a in argv {
        push_header(out, b"$", a.len() as u64);
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends a RESP line header: `prefix`, `n` in decimal, CRLF.
fn push_header(out: &mut Vec<u8>, prefix: &[u8], n: u64) {
    out.extend_from_slice(prefix);
    push_u64(out, n);
    out.extend_from_slice(b"\r\n");
}

/// Appends `n` in decimal (`ll2string`), without the formatting machinery:
/// two digits at a time, most significant first, with no copy (the numbers
/// written are mostly lengths and key numbers of one to four digits).
pub fn push_u64(out: &mut Vec<u8>, n: u64) {
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    if n >= 100 {
        push_u64(out, n / 100);
    }
    let r = (n % 100) as u8;
    out.extend_from_slice(&[b'0' + r / 10, b'0' + r % 10]);
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

/// A malformed request: Redis replies with the error, then closes the
/// connection (`setProtocolError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError {
    /// The reply text without the `ERR ` prefix, e.g. `Protocol error: invalid bulk length`.
    pub message: String,
    /// The short reason Redis logs, e.g. `invalid bulk length`.
    pub reason: &'static str,
}

impl ProtocolError {
    fn new(message: impl Into<String>, reason: &'static str) -> ProtocolError {
        ProtocolError { message: message.into(), reason }
    }

    /// The `-ERR Protocol error: ...` reply sent before the connection is closed.
    pub fn to_reply(&self) -> Reply {
        Reply::Error(format!("ERR {}", self.message))
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProtocolError {}

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

fn find(buf: &[u8], c: u8) -> Option<usize> {
    buf.iter().position(|&b| b == c)
}

/// Parse one request from the start of a query buffer, as a Redis server
/// does: a multi-bulk (`*...`) or an inline command line.
///
/// `Ok(None)`: more bytes are needed. `Ok(Some((argv, consumed)))`: one
/// request and the exact number of bytes it occupied (a replica advances
/// its offset by this). `argv` is empty for an empty inline line (the
/// `\n` keepalives masters send) and for `*0` / `*-1`.
pub fn parse_command(buf: &[u8]) -> Result<Option<(Vec<Bytes>, usize)>, ProtocolError> {
    let mut argv = Vec::new();
    Ok(parse_command_into(buf, &mut argv)?.map(|used| (argv, used)))
}

/// [`parse_command`] into a caller's `argv`, whose buffers are reused: a
/// server parsing request after request allocates only when an argument
/// outgrows the one before it. `Ok(Some(consumed))` when a request is
/// complete; otherwise `argv` holds nothing of use.
pub fn parse_command_into(buf: &[u8], argv: &mut Vec<Bytes>) -> Result<Option<usize>, ProtocolError> {
    if buf.is_empty() {
        return Ok(None);
    }
    if buf[0] == b'*' {
        parse_multibulk(buf, argv)
    } else {
        let parsed = parse_inline(buf)?;
        Ok(parsed.map(|(args, used)| {
            *argv = args;
            used
        }))
    }
}

/// The largest argument buffer [`parse_command_into`] keeps for reuse.
const REUSED_ARG_MAX_BYTES: usize = 64 * 1024;

fn parse_inline(buf: &[u8]) -> Result<Option<(Vec<Bytes>, usize)>, ProtocolError> {
    let nl = match find(buf, b'\n') {
        Some(p) => p,
        None => {
            if buf.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::new(
                    "Protocol error: too big inline request",
                    "too big inline request",
                ));
            }
            return Ok(None);
        }
    };
    let mut end = nl;
    if end > 0 && buf[end - 1] == b'\r' {
        end -= 1;
    }
    let line = &buf[..end];
    match split_args_bytes(line) {
        Some(argv) => Ok(Some((argv, nl + 1))),
        None => Err(ProtocolError::new(
            "Protocol error: unbalanced quotes in request",
            "unbalanced quotes in inline request",
        )),
    }
}

/// Finds the `\r` ending a `*count` or `$len` header line. `Ok(None)` while
/// the line (and the byte after its `\r`) has not fully arrived; an error if
/// the line grows past the inline limit (`what` is "mbulk" or "bulk").
fn header_line(buf: &[u8], what: &'static str) -> Result<Option<usize>, ProtocolError> {
    match find(buf, b'\r') {
        Some(cr) if cr + 2 <= buf.len() => Ok(Some(cr)),
        Some(_) => Ok(None),
        None if buf.len() > PROTO_INLINE_MAX_SIZE => {
            let reason = if what == "mbulk" { "too big mbulk count string" } else { "too big bulk count string" };
            Err(ProtocolError::new(format!("Protocol error: {reason}"), reason))
        }
        None => Ok(None),
    }
}

fn parse_multibulk(buf: &[u8], argv: &mut Vec<Bytes>) -> Result<Option<usize>, ProtocolError> {
    // Count line: '*' up to the first '\r', which needs one more byte after it.
    let Some(cr) = header_line(buf, "mbulk")? else { return Ok(None) };
    let count = match parse_i64(&buf[1..cr]) {
        Some(n) if n <= i32::MAX as i64 => n,
        _ => {
            return Err(ProtocolError::new(
                "Protocol error: invalid multibulk length",
                "invalid mbulk count",
            ))
        }
    };
    let mut pos = cr + 2;
    if count <= 0 {
        argv.clear();
        return Ok(Some(pos));
    }
    let count = count as usize;
    argv.truncate(count);
    argv.reserve(count.min(1024).saturating_sub(argv.len()));
    for i in 0..count {
        let rest = &buf[pos..];
        let Some(cr) = header_line(rest, "bulk")? else { return Ok(None) };
        if rest[0] != b'$' {
            return Err(ProtocolError::new(
                format!("Protocol error: expected '$', got '{}'", rest[0] as char),
                "expected $ but got something else",
            ));
        }
        let len = match parse_i64(&rest[1..cr]) {
            Some(n) if (0..=PROTO_MAX_BULK_LEN).contains(&n) => n as usize,
            _ => {
                return Err(ProtocolError::new(
                    "Protocol error: invalid bulk length",
                    "invalid bulk length",
                ))
            }
        };
        let start = pos + cr + 2;
        // The payload plus its trailing CRLF must be buffered. Like Redis,
        // the two bytes after the payload are skipped, not checked.
        if buf.len() - start < len + 2 {
            return Ok(None);
        }
        let arg = &buf[start..start + len];
        match argv.get_mut(i) {
            // A buffer grown past 64 KB is not kept: reuse never pins a big value's memory.
            Some(reused) if reused.capacity() <= REUSED_ARG_MAX_BYTES => {
                reused.clear();
                reused.extend_from_slice(arg);
            }
            Some(big) => *big = arg.to_vec(),
            None => argv.push(arg.to_vec()),
        }
        pos = start + len + 2;
    }
    Ok(Some(pos))
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

/// C `isspace` in the C locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `sdssplitargs` on raw bytes; `None` on unbalanced quotes. The line is a
/// C string to Redis, so it ends at the first NUL byte.
fn split_args_bytes(line: &[u8]) -> Option<Vec<Bytes>> {
    let line = match find(line, 0) {
        Some(p) => &line[..p],
        None => line,
    };
    let at = |i: usize| -> u8 { if i < line.len() { line[i] } else { 0 } };
    let mut p = 0usize;
    let mut out = Vec::new();
    loop {
        while p < line.len() && is_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Some(out);
        }
        let mut cur = Vec::new();
        let (mut inq, mut insq, mut done) = (false, false, false);
        while !done {
            let c = at(p);
            if inq {
                if c == b'\\' && at(p + 1) == b'x' && is_hex(at(p + 2)) && is_hex(at(p + 3)) {
                    cur.push(hex_val(at(p + 2)) * 16 + hex_val(at(p + 3)));
                    p += 3;
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    cur.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        o => o,
                    });
                } else if c == b'"' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else if insq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_space(at(p + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => done = true,
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    _ => cur.push(c),
                }
            }
            if at(p) != 0 {
                p += 1;
            }
        }
        out.push(cur);
    }
}

/// How `redis-cli` splits a typed line into arguments (`sdssplitargs`):
/// whitespace separates, `"..."` understands `\n \r \t \b \a \\ \" \xHH`,
/// `'...'` understands only `\'`. Unbalanced quotes give
/// `Err("Invalid argument(s)")`, as redis-cli prints.
pub fn split_args(line: &str) -> Result<Vec<Bytes>, String> {
    split_args_bytes(line.as_bytes()).ok_or_else(|| "Invalid argument(s)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        s.as_bytes().to_vec()
    }

    fn args(v: &[&str]) -> Vec<Bytes> {
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
    fn multibulk_command_consumes_exact_bytes() {
        let mut buf = encode_command(&args(&["set", "k", "v"]));
        let n = buf.len();
        buf.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
        let (argv, used) = parse_command(&buf).unwrap().unwrap();
        assert_eq!(argv, args(&["set", "k", "v"]));
        assert_eq!(used, n);
        let (argv, used2) = parse_command(&buf[used..]).unwrap().unwrap();
        assert_eq!(argv, args(&["PING"]));
        assert_eq!(used2, 14);
    }

    #[test]
    fn partial_multibulk_needs_more_bytes() {
        let full = encode_command(&args(&["set", "hello", "redis"]));
        for cut in 0..full.len() {
            assert_eq!(parse_command(&full[..cut]), Ok(None), "cut at {}", cut);
        }
        assert!(parse_command(&full).unwrap().is_some());
    }

    #[test]
    fn inline_command_consumes_exact_bytes() {
        let buf = b"set k \"a b\"\r\nGET k\n";
        let (argv, used) = parse_command(buf).unwrap().unwrap();
        assert_eq!(argv, args(&["set", "k", "a b"]));
        assert_eq!(used, 13);
        let (argv, used) = parse_command(&buf[13..]).unwrap().unwrap();
        assert_eq!(argv, args(&["GET", "k"]));
        assert_eq!(used, 6);
        assert_eq!(parse_command(b"GET k"), Ok(None));
    }

    #[test]
    fn empty_inline_line_is_consumed_as_empty_argv() {
        assert_eq!(parse_command(b"\n"), Ok(Some((vec![], 1))));
        assert_eq!(parse_command(b"\r\n*1"), Ok(Some((vec![], 2))));
        assert_eq!(parse_command(b"   \r\n"), Ok(Some((vec![], 5))));
    }

    #[test]
    fn zero_and_negative_multibulk_count_are_empty_commands() {
        assert_eq!(parse_command(b"*0\r\n"), Ok(Some((vec![], 4))));
        assert_eq!(parse_command(b"*-1\r\nxx"), Ok(Some((vec![], 5))));
    }

    #[test]
    fn protocol_errors_use_redis_text() {
        let e = parse_command(b"*abc\r\n").unwrap_err();
        assert_eq!(e.message, "Protocol error: invalid multibulk length");
        assert_eq!(
            e.to_reply().encode(),
            b"-ERR Protocol error: invalid multibulk length\r\n"
        );
        assert_eq!(
            parse_command(b"*2\r\nx3\r\n").unwrap_err().message,
            "Protocol error: expected '$', got 'x'"
        );
        assert_eq!(
            parse_command(b"*1\r\n$-3\r\n").unwrap_err().message,
            "Protocol error: invalid bulk length"
        );
        assert_eq!(
            parse_command(b"*1\r\n$+3\r\n").unwrap_err().message,
            "Protocol error: invalid bulk length"
        );
        assert_eq!(
            parse_command(b"set k \"abc\n").unwrap_err().message,
            "Protocol error: unbalanced quotes in request"
        );
        assert_eq!(
            parse_command(b"*3000000000\r\n").unwrap_err().message,
            "Protocol error: invalid multibulk length"
        );
    }

    #[test]
    fn bulk_terminator_is_skipped_unchecked_like_redis() {
        // Redis skips the two bytes after a bulk payload without looking at them.
        let buf = b"*1\r\n$4\r\nPINGxxPING\r\n";
        let (argv, used) = parse_command(buf).unwrap().unwrap();
        assert_eq!((argv, used), (args(&["PING"]), 14));
        assert_eq!(parse_command(&buf[used..]).unwrap().unwrap(), (args(&["PING"]), 6));
        // The count line ends at the first '\r', not at '\n'.
        assert_eq!(
            parse_command(b"*1\n$4\r\nPING\r\n").unwrap_err().message,
            "Protocol error: invalid multibulk length"
        );
        assert_eq!(
            parse_command(b"set k 'a'b\r\n").unwrap_err().message,
            "Protocol error: unbalanced quotes in request"
        );
    }

    #[test]
    fn hostile_lengths_do_not_allocate() {
        // A huge announced count or bulk with no payload just waits for more bytes.
        assert_eq!(parse_command(b"*2147483647\r\n"), Ok(None));
        assert_eq!(parse_command(b"*1\r\n$536870912\r\n"), Ok(None));
        assert!(parse_command(b"*1\r\n$536870913\r\n").is_err());
    }

    #[test]
    fn oversized_lines_without_newline_are_rejected() {
        let big = vec![b'a'; PROTO_INLINE_MAX_SIZE + 1];
        assert_eq!(
            parse_command(&big).unwrap_err().message,
            "Protocol error: too big inline request"
        );
        let mut mb = b"*".to_vec();
        mb.extend(vec![b'1'; PROTO_INLINE_MAX_SIZE + 1]);
        assert_eq!(
            parse_command(&mb).unwrap_err().message,
            "Protocol error: too big mbulk count string"
        );
    }

    #[test]
    fn split_args_follows_sdssplitargs() {
        assert_eq!(
            split_args("set  k \"a\\x41\\n\\\"\" 'it\\'s' x").unwrap(),
            vec![b("set"), b("k"), b"aA\n\"".to_vec(), b("it's"), b("x")]
        );
        assert_eq!(split_args("   ").unwrap(), Vec::<Bytes>::new());
        assert_eq!(split_args("a\"b c\"d").unwrap_err(), "Invalid argument(s)");
        assert_eq!(split_args("a\"b c\" d").unwrap(), vec![b("ab c"), b("d")]);
        assert_eq!(split_args("\"abc").unwrap_err(), "Invalid argument(s)");
        assert_eq!(split_args("'abc").unwrap_err(), "Invalid argument(s)");
        assert_eq!(split_args("'a\\nb'").unwrap(), vec![b("a\\nb")]);
        assert_eq!(split_args("\"\"").unwrap(), vec![b("")]);
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
