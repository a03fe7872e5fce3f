//! Client connections (`client` in networking.c): local consoles, clients
//! accepted from the network, and how CLIENT LIST describes them.

use super::command::CommandSpec;
use super::keyspace::Bytes;
use super::net::{ConnId, Port};
use super::node::{Blocked, Node};
use super::replicas::ReplicaLink;

/// A client connection: a local console client, or one accepted from the network.
#[derive(Clone, Debug)]
pub struct Client {
    /// Client id, as CLIENT LIST would show it.
    pub id: u64,
    /// Currently selected database.
    pub db: usize,
    /// Passed AUTH (or no password is required).
    pub authenticated: bool,
    /// Replication offset after this client's last write (for WAIT).
    pub woff: u64,
    /// A reply the client waits for.
    pub blocked: Option<Blocked>,
    /// Unread bytes from the network.
    pub inbuf: Vec<u8>,
    /// Bytes to write (replies, the RDB payload) before any replication stream.
    pub out: ByteQueue,
    /// Set once the client became a replica with PSYNC/SYNC.
    pub replica: Option<ReplicaLink>,
    /// Port the replica announced with REPLCONF listening-port.
    pub listening_port: Option<Port>,
    /// Replica capabilities (REPLCONF capa eof / psync2).
    pub capa_eof: bool,
    /// See `capa_eof`.
    pub capa_psync2: bool,
    /// Creation time, for `age=` in client descriptions.
    pub created_ms: u64,
    /// The client's source port (an ephemeral port).
    pub addr_port: u16,
    /// The last command, for `cmd=` (`NULL` before the first); the next
    /// request naming it again skips the command table.
    pub last_cmd: Option<&'static CommandSpec>,
    /// Commands queued after MULTI, until EXEC.
    pub multi: Option<Vec<Vec<Bytes>>>,
    /// A command was refused while queuing: EXEC will abort.
    pub multi_failed: bool,
}

impl Client {
    pub(crate) fn new(id: u64, now: u64, authenticated: bool) -> Self {
        Client {
            id,
            db: 0,
            authenticated,
            woff: 0,
            blocked: None,
            inbuf: Vec::new(),
            out: ByteQueue::default(),
            replica: None,
            listening_port: None,
            capa_eof: false,
            capa_psync2: false,
            created_ms: now,
            addr_port: 40000 + (id % 20000) as u16,
            last_cmd: None,
            multi: None,
            multi_failed: false,
        }
    }

    /// The pseudo-client a replica runs its master's stream through.
    pub fn master_link(db: usize) -> Self {
        let mut c = Client::new(1, 0, true);
        c.db = db;
        c
    }
}

/// Who sent a command: it decides expiry, READONLY and replies.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClientKind {
    /// A local console or scenario client.
    Local,
    /// A client connected over the virtual network.
    Network(ConnId),
    /// This replica's master, applying the replication stream.
    Master,
}

impl Node {
    /// Description of a client as CLIENT LIST prints it (used in log lines).
    pub fn client_info(&self, c: &Client, now: u64, flags: &str, omem: u64) -> String {
        format!(
            "id={} addr=127.0.0.1:{} laddr=127.0.0.1:{} fd={} name= age={} idle=0 flags={} db={} sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll={} omem={} tot-mem={} events=r cmd={} user=default redir=-1 resp=2",
            c.id,
            c.addr_port,
            self.port,
            c.id + 5,
            now.saturating_sub(c.created_ms) / 1000,
            flags,
            c.db,
            u64::from(omem > 0),
            omem,
            omem + 22400,
            c.last_cmd.map_or("NULL", |s| s.name)
        )
    }

}

/// Bytes waiting to be written, oldest first: a `Vec` read from a moving
/// start and compacted once the part already taken is half of it, so each
/// byte is moved at most once more on average. Smaller in the wasm than a
/// `VecDeque<u8>`, and appending is one copy.
#[derive(Clone, Debug, Default)]
pub struct ByteQueue {
    buf: Vec<u8>,
    start: usize,
}

impl ByteQueue {
    /// Appends `bytes` at the end.
    pub fn extend(&mut self, bytes: impl AsRef<[u8]>) {
        self.buf.extend_from_slice(bytes.as_ref());
    }

    /// Appends one byte at the end.
    pub fn push_back(&mut self, byte: u8) {
        self.buf.push(byte);
    }

    /// Number of bytes waiting.
    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// True if nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the first `n` bytes (all of them if fewer are waiting).
    pub fn take_front(&mut self, n: usize) -> Vec<u8> {
        let end = self.start + n.min(self.len());
        let chunk = self.buf[self.start..end].to_vec();
        self.start = end;
        if self.start * 2 >= self.buf.len() {
            self.buf.copy_within(self.start.., 0);
            self.buf.truncate(self.buf.len() - self.start);
            self.start = 0;
        }
        chunk
    }
}

#[cfg(test)]
mod tests {
    use super::ByteQueue;

    #[test]
    fn a_byte_queue_gives_bytes_back_in_order() {
        let mut q = ByteQueue::default();
        let mut want = std::collections::VecDeque::new();
        for round in 0..200u32 {
            let bytes: Vec<u8> = (0..round % 17).map(|i| (round + i) as u8).collect();
            q.extend(&bytes);
            want.extend(&bytes);
            q.push_back(round as u8);
            want.push_back(round as u8);
            let n = (round as usize * 7) % 23;
            let got = q.take_front(n);
            let expected: Vec<u8> = want.drain(..n.min(want.len())).collect();
            assert_eq!(got, expected);
            assert_eq!(q.len(), want.len());
        }
        assert_eq!(q.take_front(usize::MAX), want.into_iter().collect::<Vec<u8>>());
        assert!(q.is_empty());
    }
}
