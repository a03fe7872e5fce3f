//! Normalization of transcripts (what legitimately differs between a real
//! run and a simulated one) and a small line diff.
//!
//! Everything not listed here is compared verbatim: replies, INFO
//! replication fields, offsets, log messages and their order, PSYNC
//! outcomes, `Sending N bytes of backlog starting from offset O`.
//!
//! # Rewritten (both transcripts)
//! - 40-hex run IDs, replication IDs and EOF marks → `<ID1>`, `<ID2>`, ... in
//!   order of first appearance, numbered per transcript (so they line up).
//!   The all-zero ID is meaningful (no replid2) and is kept.
//! - log prefixes `pid:R dd Mon yyyy hh:mm:ss.mmm L msg` → `R L msg` (role
//!   char and level mark kept, pid and wall-clock time dropped).
//! - `lag=N`, `master_last_io_seconds_ago:N`, `master_link_down_since_seconds:N`
//!   (non-negative N; `-1` means "never" and is kept): wall-clock ages.
//! - `(user request from '...')`, `Client id=... scheduled`: client-info
//!   strings (ephemeral ports, fds, buffer sizes, ages).
//! - `RDB age N seconds`, `RDB memory usage when created X Mb`,
//!   `DB loaded from disk: X seconds`: time and allocator measurements.
//! - `pid N`, `pid=N`: process ids.
//!
//! # Skipped log lines (dropped from both transcripts)
//! See [`skipped`]; each entry is justified there and in README.md.
//!
//! # Refused reconnects (`# conformance: ignore-refused-reconnects`)
//! In master-restart scenarios the real master is down for the few
//! milliseconds a process needs to exit and start; the simulator restarts it
//! in zero virtual time. The replicas' `Error condition on socket for SYNC:
//! Connection refused` lines, each followed by a retry (`Connecting to
//! MASTER ...`, `MASTER <-> REPLICA sync started`), count those real
//! milliseconds against the 1 s cron; they are dropped from both sides.
//!
//! # Outcome-only scenarios
//! A scenario with the comment `# conformance: outcome-only` (output-buffer
//! overflow loops, whose offsets and repetition count depend on kernel
//! socket buffers) is compared by kind: every digit run becomes `N`, IDs
//! become `<ID>`, and each `log` output is reduced to its sorted, distinct
//! lines that name an outcome ([`OUTCOME_MARKERS`]): whether the replica
//! also logs an I/O error mid-transfer, or how often it retried, depends on
//! when the kernel delivered the close.

use std::collections::BTreeMap;

/// Log lines kept in outcome-only scenarios: the kinds of outcome.
pub const OUTCOME_MARKERS: &[&str] = &[
    "for overcoming of output buffer limits",
    "Full resync",
    "Partial resynchronization",
    "Unable to partial resync",
    "Synchronization with replica",
    "Finished with success",
    "Successful partial resynchronization",
];

/// Why a log message is not compared, or `None` to compare it.
pub fn skipped(role: char, msg: &str) -> Option<&'static str> {
    // Host sysctl warnings: they depend on the machine's vm.overcommit_memory,
    // net.core.somaxconn and THP settings, not on Redis' replication logic.
    if msg.starts_with("WARNING Memory overcommit must be enabled")
        || msg.starts_with("WARNING overcommit_memory is set to 0")
        || msg.starts_with("WARNING: The TCP backlog setting")
        || msg.starts_with("WARNING you have Transparent Huge Pages")
    {
        return Some("host configuration warning");
    }
    // Copy-on-write measurement of the fork child: a kernel memory figure,
    // and only written when non-zero (racy, machine dependent).
    if msg.starts_with("Fork CoW for") {
        return Some("fork CoW measurement");
    }
    // Lines the fork child (role C) writes after startup, e.g. `DB saved on
    // disk`: the child writes them concurrently with the parent, so their
    // position among the parent's lines is a race. The three startup lines
    // (also role C) are written before anything else and are compared.
    let startup = msg.contains("Redis is starting") || msg.starts_with("Redis version=") || msg == "Configuration loaded";
    if role == 'C' && !startup {
        return Some("fork child line (position is a race)");
    }
    None
}

/// Splits a log line into (role, level, message).
fn parse_log_line(line: &str) -> Option<(char, char, &str)> {
    let colon = line.find(':')?;
    if colon == 0 || !line[..colon].bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let b = line.as_bytes();
    // "R dd Mon yyyy hh:mm:ss.mmm L msg"
    let rest = &b[colon + 1..];
    if rest.len() < 29 || rest[1] != b' ' || rest[22] != b'.' || rest[26] != b' ' || rest[28] != b' ' {
        return None;
    }
    let role = rest[0] as char;
    let level = rest[27] as char;
    if !"XCSM".contains(role) || !".-*#".contains(level) {
        return None;
    }
    Some((role, level, &line[colon + 30..]))
}

/// Replaces the number after each `prefix` with `<N>` (non-negative only).
fn mask_after(s: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(prefix) {
        out.push_str(&rest[..i + prefix.len()]);
        rest = &rest[i + prefix.len()..];
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if n > 0 {
            out.push_str("<N>");
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    out
}

/// Replaces what lies between `open` and `close` with `what`.
fn mask_between(s: &str, open: &str, close: &str, what: &str) -> String {
    match s.find(open) {
        Some(i) => match s[i + open.len()..].find(close) {
            Some(j) => format!("{}{}{}{}", &s[..i + open.len()], what, close, &s[i + open.len() + j + close.len()..]),
            None => s.to_string(),
        },
        None => s.to_string(),
    }
}

/// Numbers 40-hex IDs in order of first appearance.
struct Ids(BTreeMap<String, usize>);

impl Ids {
    fn apply(&mut self, s: &str, generic: bool) -> String {
        let b = s.as_bytes();
        let mut out = String::new();
        let mut i = 0;
        while i < b.len() {
            let is_hex = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
            let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
            if boundary && i + 40 <= b.len() && b[i..i + 40].iter().all(|&c| is_hex(c)) && (i + 40 == b.len() || !b[i + 40].is_ascii_alphanumeric()) {
                let id = &s[i..i + 40];
                if id.bytes().all(|c| c == b'0') {
                    out.push_str(id);
                } else if generic {
                    out.push_str("<ID>");
                } else {
                    let next = self.0.len() + 1;
                    let n = *self.0.entry(id.to_string()).or_insert(next);
                    out.push_str(&format!("<ID{n}>"));
                }
                i += 40;
            } else {
                let ch = s[i..].chars().next().expect("char");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
        out
    }
}

fn digits_to_n(s: &str) -> String {
    let mut out = String::new();
    let mut in_num = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_num {
                out.push('N');
            }
            in_num = true;
        } else {
            in_num = false;
            out.push(c);
        }
    }
    out
}

/// One output line, normalized; `None` when skipped.
fn normalize_line(line: &str, ids: &mut Ids, outcome_only: bool) -> Option<String> {
    let mut s = match parse_log_line(line) {
        Some((role, level, msg)) => {
            if skipped(role, msg).is_some() {
                return None;
            }
            format!("{role} {level} {msg}")
        }
        None => line.to_string(),
    };
    s = mask_between(&s, "(user request from '", "')", "<client>");
    s = mask_between(&s, "Client id=", " scheduled to be closed", "<client>");
    for p in ["lag=", "master_last_io_seconds_ago:", "master_link_down_since_seconds:", "RDB age ", "pid ", "pid="] {
        s = mask_after(&s, p);
    }
    for p in ["RDB memory usage when created ", "DB loaded from disk: "] {
        s = mask_after(&s, p);
    }
    s = ids.apply(&s, outcome_only);
    if outcome_only {
        s = digits_to_n(&s);
    }
    Some(s)
}

/// Splits a transcript into (directive line, output lines) blocks, given the
/// directive texts in order.
fn blocks<'a>(transcript: &'a str, texts: &[String]) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut next = 0;
    for line in transcript.lines() {
        if next < texts.len() && line == texts[next] {
            out.push((line, Vec::new()));
            next += 1;
        } else if let Some(last) = out.last_mut() {
            last.1.push(line);
        }
    }
    out
}

/// Drops refused reconnects and the retry lines after each one.
fn drop_refused(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut skip = 0;
    for l in lines {
        if l == "S # Error condition on socket for SYNC: Connection refused" {
            skip = 2;
        } else if skip > 0 && (l.starts_with("S * Connecting to MASTER ") || l == "S * MASTER <-> REPLICA sync started") {
            skip -= 1;
        } else {
            skip = 0;
            out.push(l);
        }
    }
    out
}

/// Normalizes a transcript into the lines that are compared.
pub fn normalize(transcript: &str, texts: &[String], outcome_only: bool, ignore_refused: bool) -> Vec<String> {
    let mut ids = Ids(BTreeMap::new());
    let mut out = Vec::new();
    for (directive, lines) in blocks(transcript, texts) {
        out.push(directive.to_string());
        let mut norm: Vec<String> = lines.iter().filter_map(|l| normalize_line(l, &mut ids, outcome_only)).collect();
        if ignore_refused && directive.starts_with("log ") {
            norm = drop_refused(norm);
        }
        if outcome_only && directive.starts_with("log ") {
            norm.retain(|l| OUTCOME_MARKERS.iter().any(|m| l.contains(m)));
            norm.sort();
            norm.dedup();
        }
        out.extend(norm);
    }
    out
}

/// The longest common subsequence of two line lists, as an edit script:
/// `' '` both, `'-'` only in `a` (real), `'+'` only in `b` (simulated).
fn edit_script<'a>(a: &'a [String], b: &'a [String]) -> Vec<(char, &'a str)> {
    let (n, m) = (a.len(), b.len());
    let mut t = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if a[i] == b[j] { t[i + 1][j + 1] + 1 } else { t[i + 1][j].max(t[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((' ', a[i].as_str()));
            i += 1;
            j += 1;
        } else if j < m && (i == n || t[i][j + 1] >= t[i + 1][j]) {
            out.push(('+', b[j].as_str()));
            j += 1;
        } else {
            out.push(('-', a[i].as_str()));
            i += 1;
        }
    }
    out
}

/// Compares real (`a`) with simulated (`b`) lines: (lines equal, diff text
/// with two lines of context, empty when identical).
pub fn diff(a: &[String], b: &[String]) -> (usize, String) {
    let script = edit_script(a, b);
    let equal = script.iter().filter(|(k, _)| *k == ' ').count();
    let changed: Vec<usize> = script.iter().enumerate().filter(|(_, (k, _))| *k != ' ').map(|(i, _)| i).collect();
    let mut text = String::new();
    let mut last_printed: Option<usize> = None;
    for &c in &changed {
        let from = c.saturating_sub(2);
        let to = (c + 2).min(script.len() - 1);
        for i in from..=to {
            if last_printed.is_some_and(|l| i <= l) {
                continue;
            }
            if last_printed.is_some_and(|l| i > l + 1) || (last_printed.is_none() && i > 0) {
                text.push_str("@@\n");
            }
            let (k, line) = script[i];
            text.push_str(&format!("{k} {line}\n"));
            last_printed = Some(i);
        }
    }
    (equal, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_prefix_and_ids() {
        let mut ids = Ids(BTreeMap::new());
        let l = "30041:M 22 Nov 2026 02:51:49.333 * Background RDB transfer started by pid 30128";
        assert_eq!(normalize_line(l, &mut ids, false).unwrap(), "M * Background RDB transfer started by pid <N>");
        let id = "c6c04b197dfb435db541085cba5c7b7a8dad72b5";
        assert_eq!(ids.apply(&format!("master_replid:{id}"), false), "master_replid:<ID1>");
        assert_eq!(mask_after("slave0:ip=1,lag=12", "lag="), "slave0:ip=1,lag=<N>");
        assert_eq!(mask_after("x:-1", "x:"), "x:-1");
    }
}
