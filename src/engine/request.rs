//! Requests as a Redis server reads them from a query buffer
//! (`processMultibulkBuffer` / `processInlineBuffer` in networking.c): the
//! multi-bulk form clients and masters send, the inline form typed over
//! telnet, their protocol errors, and `sdssplitargs`, which redis-cli uses
//! to split a typed line too.

use super::keyspace::Bytes;
use super::resp::{parse_i64, Reply, PROTO_INLINE_MAX_SIZE, PROTO_MAX_BULK_LEN};
use std::fmt;

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

/// A `*count` or `$len` header line at the start of `buf`: its number
/// (`None` if `string2ll` rejects the text) and the position of the first
/// `\r`, where the line ends. `Ok(None)` while the line (and the byte after
/// its `\r`) has not fully arrived; an error if the line grows past the
/// inline limit (`what` is "mbulk" or "bulk").
#[inline(always)]
fn header(buf: &[u8], what: &'static str) -> Result<Option<(Option<i64>, usize)>, ProtocolError> {
    match usual_header(buf) {
        Some((n, cr)) => Ok(Some((Some(n as i64), cr))),
        None => header_general(buf, what),
    }
}

/// The usual header line, 1 to 18 digits without a leading zero right up
/// to a complete `\r\n`, read in one pass: its number and the position of
/// its `\r`. `string2ll` accepts exactly that, and 18 digits cannot
/// overflow. `None` for anything else, which goes the general way.
#[inline(always)]
fn usual_header(buf: &[u8]) -> Option<(u64, usize)> {
    let mut n = 0u64;
    let mut i = 1;
    while i < buf.len().min(19) {
        let digit = buf[i].wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        n = n * 10 + u64::from(digit);
        i += 1;
    }
    let usual = i > 1 && i + 1 < buf.len() && buf[i] == b'\r' && (buf[1] != b'0' || i == 2);
    usual.then_some((n, i))
}

/// A complete `SET key value` (three arguments, the command a write load
/// sends) at the start of `buf`: the key, the value and the bytes the
/// request takes. `None` for anything else, complete or not, which
/// [`parse_command_into`] then reads: for what this accepts it gives the
/// same arguments and length (its `$len` lines are read by the same
/// [`usual_header`]; the fixed start is matched exactly, which only turns
/// away odd requests the general way still reads).
#[inline(always)]
pub fn plain_set(buf: &[u8]) -> Option<(&[u8], &[u8], usize)> {
    const HEAD: &[u8; 8] = b"*3\r\n$3\r\n";
    if buf.len() < 13 || super::sds::word(buf, 0) != u64::from_le_bytes(*HEAD) {
        return None;
    }
    // The name as `command::names` compares it: each byte's 0x20 bit set.
    if buf[8] | 0x20 != b's' || buf[9] | 0x20 != b'e' || buf[10] | 0x20 != b't' || buf[11] != b'\r' || buf[12] != b'\n' {
        return None;
    }
    let (key, at) = plain_bulk(buf, 13)?;
    let (value, end) = plain_bulk(buf, at)?;
    Some((&buf[key..at - 2], &buf[value..end - 2], end))
}

/// The bulk string whose `$len` line starts at `at`, read as
/// `parse_multibulk` reads the usual one: where its payload starts and
/// where the next line starts (after the two bytes that end it).
#[inline(always)]
fn plain_bulk(buf: &[u8], at: usize) -> Option<(usize, usize)> {
    let rest = &buf[at..];
    let (n, cr) = usual_header(rest)?;
    if rest[0] != b'$' || n > PROTO_MAX_BULK_LEN as u64 {
        return None;
    }
    let start = at + cr + 2;
    let len = n as usize;
    if buf.len() - start < len + 2 {
        return None;
    }
    Some((start, start + len + 2))
}

/// [`header`] for any line: up to the first `\r`, whatever comes before it.
#[inline(never)]
fn header_general(buf: &[u8], what: &'static str) -> Result<Option<(Option<i64>, usize)>, ProtocolError> {
    match find(buf, b'\r') {
        Some(cr) if cr + 2 <= buf.len() => Ok(Some((parse_i64(&buf[1..cr]), cr))),
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
    let Some((count, cr)) = header(buf, "mbulk")? else { return Ok(None) };
    let count = match count {
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
    // Guarded: each is a call in wasm, and the usual request is the size of the last.
    if argv.len() > count {
        argv.truncate(count);
    }
    if argv.capacity() < count.min(1024) {
        argv.reserve(count.min(1024) - argv.len());
    }
    for i in 0..count {
        let rest = &buf[pos..];
        // The usual `$len` line skips the general checks (and their errors).
        let (len, cr) = match usual_header(rest) {
            Some((n, cr)) if rest[0] == b'$' && n <= PROTO_MAX_BULK_LEN as u64 => (n as usize, cr),
            _ => match bulk_header(rest)? {
                Some(found) => found,
                None => return Ok(None),
            },
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
                super::sds::cpy(reused, arg);
            }
            Some(big) => *big = arg.to_vec(),
            None => argv.push(arg.to_vec()),
        }
        pos = start + len + 2;
    }
    Ok(Some(pos))
}

/// A `$len` line in general: its length and the position of its `\r`,
/// `Ok(None)` while incomplete, or the protocol error Redis replies with.
#[inline(never)]
fn bulk_header(rest: &[u8]) -> Result<Option<(usize, usize)>, ProtocolError> {
    let Some((len, cr)) = header(rest, "bulk")? else { return Ok(None) };
    if rest[0] != b'$' {
        return Err(ProtocolError::new(
            format!("Protocol error: expected '$', got '{}'", rest[0] as char),
            "expected $ but got something else",
        ));
    }
    let len = match len {
        Some(n) if (0..=PROTO_MAX_BULK_LEN).contains(&n) => n as usize,
        _ => {
            return Err(ProtocolError::new(
                "Protocol error: invalid bulk length",
                "invalid bulk length",
            ))
        }
    };
    Ok(Some((len, cr)))
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
        // Inside quotes: the quote character that closes them.
        let (mut quote, mut done) = (None, false);
        while !done {
            let c = at(p);
            if let Some(q) = quote {
                let double = q == b'"';
                if double && c == b'\\' && at(p + 1) == b'x' && is_hex(at(p + 2)) && is_hex(at(p + 3)) {
                    cur.push(hex_val(at(p + 2)) * 16 + hex_val(at(p + 3)));
                    p += 3;
                } else if double && c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    cur.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        o => o,
                    });
                } else if !double && c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    cur.push(b'\'');
                } else if c == q {
                    // A closing quote must be followed by a space or the end.
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
                    b'"' | b'\'' => quote = Some(c),
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
    use crate::engine::resp::encode_command;
    use crate::engine::resp::tests::{args, b};

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
        assert_eq!(e.to_reply().encode(), b"-ERR Protocol error: invalid multibulk length\r\n");
        let cases: [(&[u8], &str); 6] = [
            (b"*abc\r\n", "invalid multibulk length"),
            (b"*2\r\nx3\r\n", "expected '$', got 'x'"),
            (b"*1\r\n$-3\r\n", "invalid bulk length"),
            (b"*1\r\n$+3\r\n", "invalid bulk length"),
            (b"set k \"abc\n", "unbalanced quotes in request"),
            (b"*3000000000\r\n", "invalid multibulk length"),
        ];
        for (request, text) in cases {
            assert_eq!(parse_command(request).unwrap_err().message, format!("Protocol error: {text}"));
        }
    }

    #[test]
    fn header_numbers_are_read_as_string2ll_reads_them() {
        assert_eq!(parse_command(b"*1\r\n$0\r\n\r\n"), Ok(Some((vec![b("")], 10))));
        assert_eq!(parse_command(b"*1\r\n$3\r\nabc\r\n"), Ok(Some((vec![b("abc")], 13))));
        for bad in [&b"*01\r\n"[..], b"*00\r\n", b"*-0\r\n", b"*\r\n", b"*1000000000000000000\r\n", b"*99999999999999999999\r\n"] {
            assert_eq!(parse_command(bad).unwrap_err().reason, "invalid mbulk count", "{:?}", String::from_utf8_lossy(bad));
        }
        for bad in [&b"*1\r\n$03\r\nabc\r\n"[..], b"*1\r\n$\r\n", b"*1\r\n$-0\r\n", b"*1\r\n$3 \r\n"] {
            assert_eq!(parse_command(bad).unwrap_err().reason, "invalid bulk length", "{:?}", String::from_utf8_lossy(bad));
        }
        // A line whose `\r` arrived without the byte after it waits.
        assert_eq!(parse_command(b"*1\r"), Ok(None));
        assert_eq!(parse_command(b"*1\r\n$3\r"), Ok(None));
        assert_eq!(parse_command(b"*1\r\n$3x"), Ok(None));
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
    fn plain_set_reads_what_the_general_parser_reads() {
        let mut inputs: Vec<Vec<u8>> = vec![
            encode_command(&args(&["SET", "key:1234", "value"])),
            encode_command(&args(&["set", "", ""])),
            encode_command(&args(&["SeT", "k", "0123456789abcdef0123456789abcdef"])),
            encode_command(&args(&["SET", "k", "v", "PX", "5"])),
            encode_command(&args(&["GET", "k"])),
            encode_command(&args(&["SEX", "k", "v"])),
            b"*3\r\n$3\r\nSET\r\n$01\r\nk\r\n$1\r\nv\r\n".to_vec(),
            b"*3\r\n$3\r\nSET\r\n$1\rXk\r\n$1\r\nvXY".to_vec(),
            b"*3\r\n$3\r\nSETxx$1\r\nk\r\n$1\r\nv\r\n".to_vec(),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n:1\r\nv\r\n".to_vec(),
        ];
        let whole = inputs.clone();
        for w in &whole {
            for cut in 0..w.len() {
                inputs.push(w[..cut].to_vec());
            }
            inputs.push([&w[..], b"*1\r\n$4\r\nPING\r\n"].concat());
        }
        let mut fast = 0;
        for input in &inputs {
            let mut argv = Vec::new();
            let general = parse_command_into(input, &mut argv);
            if let Some((key, value, used)) = plain_set(input) {
                fast += 1;
                assert_eq!(general, Ok(Some(used)), "{:?}", String::from_utf8_lossy(input));
                assert_eq!(argv.len(), 3);
                assert!(argv[0].eq_ignore_ascii_case(b"set"));
                assert_eq!((&argv[1][..], &argv[2][..]), (key, value));
            }
        }
        // The three SETs and the one with odd line ends (read as Redis reads
        // them), each whole and followed by a PING.
        assert_eq!(fast, 8);
    }
}
