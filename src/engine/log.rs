//! A node's log, in redis-server's own format:
//! `pid:role dd Mon yyyy hh:mm:ss.mmm * message`.

use super::clock::log_timestamp;

/// Log levels as Redis marks them in a line.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Level {
    /// `.` debug.
    Debug,
    /// `-` verbose.
    Verbose,
    /// `*` notice, the default level's usual mark.
    Notice,
    /// `#` warning.
    Warning,
}

impl Level {
    fn mark(self) -> char {
        match self {
            Level::Debug => '.',
            Level::Verbose => '-',
            Level::Notice => '*',
            Level::Warning => '#',
        }
    }
}

/// One log line as the node wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// Process id of the writer (the server, or its RDB child).
    pub pid: u32,
    /// `M` master, `S` replica, `C` child process.
    pub role: char,
    /// Virtual time in Unix ms.
    pub time_ms: u64,
    /// Level mark.
    pub level: Level,
    /// The message, exactly as Redis words it.
    pub message: String,
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} {} {} {}", self.pid, self.role, log_timestamp(self.time_ms), self.level.mark(), self.message)
    }
}

/// A node's log lines, oldest first; capped so long runs stay bounded.
#[derive(Clone, Debug, Default)]
pub struct Log {
    lines: std::collections::VecDeque<LogLine>,
    /// Lines dropped from the front because of the cap.
    pub dropped: u64,
}

/// Most lines one node keeps.
pub const LOG_CAP: usize = 5000;

impl Log {
    /// Appends a line, dropping the oldest beyond [`LOG_CAP`].
    pub fn push(&mut self, line: LogLine) {
        if self.lines.len() == LOG_CAP {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(line);
    }

    /// Total lines ever written (kept + dropped).
    pub fn written(&self) -> u64 {
        self.dropped + self.lines.len() as u64
    }

    /// Lines with sequence number `>= from` (0 = the first ever written).
    pub fn since(&self, from: u64) -> impl Iterator<Item = &LogLine> {
        let skip = from.saturating_sub(self.dropped) as usize;
        self.lines.iter().skip(skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_redis() {
        let l = LogLine { pid: 14114, role: 'S', time_ms: super::super::clock::START_MS + 5, level: Level::Notice, message: "Connecting to MASTER 127.0.0.1:6379".into() };
        assert_eq!(l.to_string(), "14114:S 01 Jan 2026 00:00:00.005 * Connecting to MASTER 127.0.0.1:6379");
    }
}
