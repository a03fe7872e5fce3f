//! Presentation of network traffic: which replication message a segment on
//! the wire carries (handshake, PSYNC reply, RDB, command stream, heartbeat,
//! ACK, keepalive), so the page can colour and label it, and an escaped
//! rendering of its bytes. Pure: it reads bytes, it never changes the world.

use super::net::{Payload, Segment};
use super::decimal::fixed;
use super::resp;

/// What kind of replication traffic a piece of a segment is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// TCP connection set-up and teardown (SYN, SYN-ACK, FIN).
    Tcp,
    /// A keepalive newline the master sends while it prepares the RDB.
    Keepalive,
    /// Any other reply (`+PONG`, `+OK`, errors).
    Reply,
    /// Anything else (ordinary client commands).
    Other,
    /// The master's `PING` heartbeat on the replication stream.
    Ping,
    /// Commands on the replication stream.
    Stream,
    /// `REPLCONF ACK <offset>` from a replica.
    Ack,
    /// The replica's handshake: PING, AUTH, REPLCONF, PSYNC.
    Handshake,
    /// `+FULLRESYNC` or `+CONTINUE`.
    PsyncReply,
    /// The RDB payload of a full resync.
    Rdb,
}

impl Kind {
    /// A stable lower-case name (used as a CSS class and a translation key).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Tcp => "tcp",
            Kind::Keepalive => "keepalive",
            Kind::Reply => "reply",
            Kind::Other => "other",
            Kind::Ping => "ping",
            Kind::Stream => "stream",
            Kind::Ack => "ack",
            Kind::Handshake => "handshake",
            Kind::PsyncReply => "psync",
            Kind::Rdb => "rdb",
        }
    }

    /// Every kind, for legends.
    pub const ALL: [Kind; 10] = [
        Kind::Handshake,
        Kind::PsyncReply,
        Kind::Rdb,
        Kind::Stream,
        Kind::Ping,
        Kind::Ack,
        Kind::Keepalive,
        Kind::Reply,
        Kind::Tcp,
        Kind::Other,
    ];
}

/// One message inside a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// What it is.
    pub kind: Kind,
    /// A short label, e.g. `REPLCONF ACK 1234` or `RDB 176 B`.
    pub label: String,
    /// How many of the segment's bytes it takes.
    pub bytes: usize,
}

/// Which way a segment goes on a replication link, as far as the page knows.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Master to replica; `transfer` is true while the replica reads an RDB.
    ToReplica {
        /// The receiving replica is in `REPL_STATE_TRANSFER`.
        transfer: bool,
    },
    /// Replica to master.
    ToMaster,
    /// Not a known replication link.
    Unknown,
}

/// Classifies a whole segment.
pub fn classify_segment(seg: &Segment, dir: Direction) -> Vec<Part> {
    classify(&seg.payload, dir)
}

/// Classifies a payload into the messages it carries.
pub fn classify(payload: &Payload, dir: Direction) -> Vec<Part> {
    let tcp = |label: &str| vec![Part { kind: Kind::Tcp, label: label.into(), bytes: 0 }];
    match payload {
        Payload::Open => tcp("SYN"),
        Payload::Accepted => tcp("SYN-ACK"),
        Payload::Close => tcp("FIN"),
        Payload::Data(bytes) => classify_bytes(bytes, dir),
    }
}

/// Finds `\r\n` from `from`; returns the index of `\r`.
fn find_crlf(b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?.windows(2).position(|w| w == b"\r\n").map(|p| p + from)
}

/// True if `b` is nothing but complete RESP commands.
fn all_commands(mut b: &[u8]) -> bool {
    while !b.is_empty() {
        match resp::parse_command(b) {
            Ok(Some((_, used))) if used > 0 && b[0] == b'*' => b = &b[used..],
            _ => return false,
        }
    }
    true
}

/// Classifies raw bytes written on a connection.
pub fn classify_bytes(bytes: &[u8], dir: Direction) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    let to_replica = matches!(dir, Direction::ToReplica { .. });
    let mid_transfer = dir == Direction::ToReplica { transfer: true };
    let starts_clean = matches!(bytes.first(), Some(b'$' | b'\n' | b'+' | b'-'));
    if mid_transfer && !starts_clean && !all_commands(bytes) {
        return vec![Part { kind: Kind::Rdb, label: format!("RDB … {}", human_bytes(bytes.len() as u64)), bytes: bytes.len() }];
    }
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let (kind, label, used) = match rest[0] {
            b'\n' => {
                let n = rest.iter().take_while(|&&c| c == b'\n').count();
                (Kind::Keepalive, "\\n".to_string(), n)
            }
            b'+' | b'-' | b':' => {
                let end = find_crlf(rest, 0).map_or(rest.len(), |e| e + 2);
                let line = String::from_utf8_lossy(&rest[..end]).trim_end().to_string();
                let psync = line.starts_with("+FULLRESYNC") || line.starts_with("+CONTINUE");
                let kind = if psync { Kind::PsyncReply } else { Kind::Reply };
                let label = match kind {
                    Kind::PsyncReply => line.split_whitespace().next().unwrap_or("").to_string(),
                    _ => truncate(&line, 24),
                };
                (kind, label, end)
            }
            b'$' if to_replica => rdb_part(rest),
            b'*' => match resp::parse_command(rest) {
                Ok(Some((argv, used))) if used > 0 => {
                    let (kind, label) = command_kind(&argv, dir);
                    (kind, label, used)
                }
                _ if to_replica => (Kind::Stream, "stream …".to_string(), rest.len()),
                _ => (Kind::Other, "…".to_string(), rest.len()),
            },
            _ if to_replica => (Kind::Rdb, format!("RDB … {}", human_bytes(rest.len() as u64)), rest.len()),
            _ => (Kind::Other, truncate(&String::from_utf8_lossy(rest), 16), rest.len()),
        };
        parts.push(Part { kind, label, bytes: used });
        i += used.max(1);
    }
    parts
}

/// `$<len>\r\n<payload>` or `$EOF:<mark>\r\n<payload><mark>`: the RDB.
fn rdb_part(rest: &[u8]) -> (Kind, String, usize) {
    let Some(eol) = find_crlf(rest, 0) else {
        return (Kind::Rdb, format!("RDB … {}", human_bytes(rest.len() as u64)), rest.len());
    };
    let header = &rest[1..eol];
    let body = eol + 2;
    if let Some(mark) = header.strip_prefix(b"EOF:") {
        let end = rest[body..].windows(mark.len().max(1)).position(|w| w == mark).map_or(rest.len(), |p| body + p + mark.len());
        let size = (end - body).saturating_sub(mark.len().min(end - body)) as u64;
        return (Kind::Rdb, format!("RDB {} (EOF)", human_bytes(size)), end);
    }
    match std::str::from_utf8(header).ok().and_then(super::text::uint::<usize>) {
        Some(len) => (Kind::Rdb, format!("RDB {}", human_bytes(len as u64)), (body + len).min(rest.len())),
        None => (Kind::Reply, truncate(&String::from_utf8_lossy(&rest[..eol]), 24), eol + 2),
    }
}

/// The kind and label of one command on a replication link.
fn command_kind(argv: &[Vec<u8>], dir: Direction) -> (Kind, String) {
    let name = argv.first().map(|a| String::from_utf8_lossy(a).into_owned()).unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let sub = argv.get(1).map(|a| String::from_utf8_lossy(a).to_ascii_lowercase()).unwrap_or_default();
    let words = || {
        let mut out = String::new();
        for (i, a) in argv.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&truncate(&String::from_utf8_lossy(a), 16));
        }
        out
    };
    match lower.as_str() {
        "ping" => {
            let handshake = match dir {
                Direction::ToMaster => true,
                Direction::ToReplica { .. } => false,
                Direction::Unknown => name == "PING",
            };
            if handshake { (Kind::Handshake, "PING".into()) } else { (Kind::Ping, "PING".into()) }
        }
        "replconf" if sub == "ack" => (Kind::Ack, truncate(&words(), 32)),
        "replconf" if sub == "getack" => (Kind::Stream, "REPLCONF GETACK *".into()),
        "replconf" | "auth" => (Kind::Handshake, if lower == "auth" { "AUTH ***".into() } else { truncate(&words(), 32) }),
        "psync" | "sync" => {
            let id = argv.get(1).map(|a| truncate(&String::from_utf8_lossy(a), 8)).unwrap_or_default();
            let off = argv.get(2).map(|a| String::from_utf8_lossy(a).into_owned()).unwrap_or_default();
            (Kind::Handshake, format!("{} {id} {off}", name.to_ascii_uppercase()).trim_end().to_string())
        }
        _ if dir == Direction::ToMaster => (Kind::Other, truncate(&words(), 32)),
        _ => (Kind::Stream, truncate(&words(), 32)),
    }
}

/// The most telling part of a segment, for its colour.
pub fn headline(parts: &[Part]) -> Kind {
    parts.iter().map(|p| p.kind).max().unwrap_or(Kind::Other)
}

/// A short label for a whole segment: the first labels and how many more
/// (keepalive newlines are left out when something else came with them).
pub fn summary(parts: &[Part]) -> String {
    let mut telling = 0;
    for p in parts {
        if p.kind != Kind::Keepalive {
            telling += 1;
        }
    }
    let mut out = String::new();
    let mut shown = 0;
    for p in parts {
        if telling > 0 && p.kind == Kind::Keepalive {
            continue;
        }
        if shown < 2 {
            if shown > 0 {
                out.push_str(", ");
            }
            out.push_str(&p.label);
        }
        shown += 1;
    }
    if shown > 2 {
        out.push_str(&format!(", +{}", shown - 2));
    }
    out
}

/// Cuts `s` to `max` characters, with an ellipsis.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Bytes as people read them: `176 B`, `12.3 kB`, `4.0 MB` (powers of 1024).
pub fn human_bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{} kB", fixed(n as f64 / 1024.0, 1))
    } else {
        format!("{} MB", fixed(n as f64 / (1024.0 * 1024.0), 1))
    }
}

/// RESP bytes as readable text: CR and LF shown as `\r` `\n` (with a real
/// line break after `\n`), backslash doubled, other non-printables as
/// `\xNN`. At most `max` bytes are shown; the rest is counted.
pub fn escape(bytes: &[u8], max: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max) + 16);
    for &b in bytes.iter().take(max) {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    if bytes.len() > max {
        out.push_str(&format!("… ({} more bytes)", bytes.len() - max));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sim::Sim;

    const DOWN: Direction = Direction::ToReplica { transfer: false };

    fn kinds(b: &[u8], dir: Direction) -> Vec<Kind> {
        classify_bytes(b, dir).into_iter().map(|p| p.kind).collect()
    }

    #[test]
    fn handshake_commands_from_a_replica() {
        let up = Direction::ToMaster;
        assert_eq!(kinds(b"*1\r\n$4\r\nPING\r\n", up), vec![Kind::Handshake]);
        let capa = b"*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n6380\r\n*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n";
        let parts = classify_bytes(capa, up);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].label, "REPLCONF listening-port 6380");
        assert_eq!(parts.iter().map(|p| p.bytes).sum::<usize>(), capa.len());
        let psync = classify_bytes(b"*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n", up);
        assert_eq!((psync[0].kind, psync[0].label.as_str()), (Kind::Handshake, "PSYNC ? -1"));
        let ack = classify_bytes(b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$3\r\n267\r\n", up);
        assert_eq!((ack[0].kind, ack[0].label.as_str()), (Kind::Ack, "REPLCONF ACK 267"));
    }

    #[test]
    fn the_master_side_of_the_link() {
        assert_eq!(kinds(b"*1\r\n$4\r\nping\r\n", DOWN), vec![Kind::Ping]);
        assert_eq!(kinds(b"\n", DOWN), vec![Kind::Keepalive]);
        assert_eq!(kinds(b"+PONG\r\n", DOWN), vec![Kind::Reply]);
        let stream = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n";
        let parts = classify_bytes(stream, DOWN);
        assert_eq!(parts.iter().map(|p| p.kind).collect::<Vec<_>>(), vec![Kind::Stream, Kind::Stream]);
        assert_eq!(parts[1].label, "set k v");
        let full = b"+FULLRESYNC 0123 0\r\n$5\r\nREDIS\r\nxx";
        let parts = classify_bytes(full, DOWN);
        assert_eq!(parts[0], Part { kind: Kind::PsyncReply, label: "+FULLRESYNC".into(), bytes: 20 });
        assert_eq!((parts[1].kind, parts[1].label.as_str(), parts[1].bytes), (Kind::Rdb, "RDB 5 B", 9));
        assert_eq!(parts[2].kind, Kind::Rdb, "what follows a complete RDB in the same write");
        assert_eq!(headline(&parts), Kind::Rdb);
        let eof = b"$EOF:abc\r\nREDIS0010....abc";
        let p = classify_bytes(eof, DOWN);
        assert_eq!((p.len(), p[0].label.as_str(), p[0].bytes), (1, "RDB 13 B (EOF)", eof.len()));
    }

    #[test]
    fn the_middle_of_an_rdb_is_rdb_but_commands_are_not() {
        let mid = Direction::ToReplica { transfer: true };
        assert_eq!(kinds(b"\x00\xfe\x01junk", mid), vec![Kind::Rdb]);
        assert_eq!(kinds(b"*1\r\n$4\r\nping\r\n", mid), vec![Kind::Ping]);
    }

    #[test]
    fn tcp_and_escaping() {
        assert_eq!(classify(&Payload::Open, Direction::Unknown)[0].kind, Kind::Tcp);
        assert_eq!(escape(b"+OK\r\n\x01\\", 100), "+OK\\r\\n\n\\x01\\\\");
        assert_eq!(escape(b"abcdef", 3), "abc… (3 more bytes)");
        assert_eq!(human_bytes(176), "176 B");
        assert_eq!(human_bytes(12_595), "12.3 kB");
        assert_eq!(summary(&classify_bytes(b"\n+A\r\n+B\r\n+C\r\n", DOWN)), "+A, +B, +1");
        assert_eq!(summary(&classify_bytes(b"\n\n", DOWN)), "\\n");
    }

    /// Every byte a real first sync puts on the wire is classified, and the
    /// textbook kinds all show up in the right direction.
    #[test]
    fn a_simulated_first_sync_shows_every_kind() {
        let mut sim = Sim::new(3);
        sim.record = true;
        sim.start_node(6379, &[]).unwrap();
        sim.start_node(6380, &["--replicaof".into(), "127.0.0.1".into(), "6379".into()]).unwrap();
        sim.advance(8_000);
        sim.command(6379, 1, vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()]).unwrap();
        sim.advance(12_000);
        let mut seen = std::collections::BTreeSet::new();
        for seg in &sim.delivered {
            let dir = if seg.from == 6379 { DOWN } else { Direction::ToMaster };
            let parts = classify_segment(seg, dir);
            if let Payload::Data(b) = &seg.payload {
                assert_eq!(parts.iter().map(|p| p.bytes).sum::<usize>(), b.len(), "{parts:?}");
            }
            seen.extend(parts.iter().map(|p| (p.kind, seg.from)));
        }
        for want in [
            (Kind::Tcp, 6380),
            (Kind::Handshake, 6380),
            (Kind::Reply, 6379),
            (Kind::PsyncReply, 6379),
            (Kind::Rdb, 6379),
            (Kind::Keepalive, 6379),
            (Kind::Stream, 6379),
            (Kind::Ping, 6379),
            (Kind::Ack, 6380),
        ] {
            assert!(seen.contains(&want), "missing {want:?} in {seen:?}");
        }
        assert!(!seen.iter().any(|(k, _)| *k == Kind::Other), "{seen:?}");
    }
}
