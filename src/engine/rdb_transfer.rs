//! The RDB transfer of a full sync, replica side (`readSyncBulkPayload`):
//! the `$<len>` or `$EOF:<mark>` framing, then flushing the old data and
//! loading the new dataset.

use super::backlog::Backlog;
use super::handshake::{Framing, MasterLink, ReplState};
use super::log::Level;
use super::node::{Node, Transport, NULL_REPLID};
use super::rdb;

/// Takes one `\n`-terminated line (without `\r\n`) off the front of `buf`.
pub(crate) fn take_line(buf: &mut Vec<u8>) -> Option<String> {
    let end = buf.iter().position(|&b| b == b'\n')?;
    let line: Vec<u8> = buf.drain(..=end).collect();
    let text = String::from_utf8_lossy(&line[..end]);
    Some(text.trim_end_matches('\r').to_string())
}

impl Node {
    /// TRANSFER (`readSyncBulkPayload`): the `$` line, then the payload.
    pub(crate) fn read_bulk_payload(&mut self, now: u64, io: &mut dyn Transport) -> bool {
        let up = self.up();
        let transfer = up.transfer.as_mut().expect("transfer");
        if transfer.framing.is_none() {
            let Some(line) = take_line(&mut up.inbuf) else { return false };
            if line.is_empty() {
                return true; // keepalive
            }
            // The mark is a 40-byte run id (`CONFIG_RUN_ID_SIZE`).
            if let Some(mark) = line.strip_prefix("$EOF:").filter(|m| m.len() >= 40) {
                transfer.framing = Some(Framing::EofMark(mark.as_bytes().to_vec()));
                self.log(now, Level::Notice, "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk".into());
            } else if let Some(len) = line.strip_prefix('$').and_then(|l| l.parse::<usize>().ok()) {
                transfer.framing = Some(Framing::Length(len));
                self.log(now, Level::Notice, format!("MASTER <-> REPLICA sync: receiving {len} bytes from master to disk"));
            } else {
                let msg = format!("Bad protocol from MASTER, the first byte is not '$' (we received '{line}'), are you sure the host and port are right?");
                self.log(now, Level::Warning, msg);
                self.cancel_handshake(io);
                return false;
            }
            return true;
        }
        let pending = std::mem::take(&mut up.inbuf);
        let had = transfer.buf.len();
        transfer.buf.extend_from_slice(&pending);
        let done_at = match transfer.framing.as_ref().expect("framing") {
            Framing::Length(len) => (transfer.buf.len() >= *len).then_some(*len),
            Framing::EofMark(mark) => {
                // Only where the new bytes could complete the mark.
                let from = had.saturating_sub(mark.len() - 1);
                let pos = transfer.buf[from..].windows(mark.len()).position(|w| w == mark.as_slice());
                pos.map(|p| from + p + mark.len())
            }
        };
        let Some(end) = done_at else { return false };
        let mut transfer = up.transfer.take().expect("transfer");
        let rest = transfer.buf.split_off(end);
        up.inbuf = rest;
        let eof = matches!(transfer.framing, Some(Framing::EofMark(_)));
        let payload = match transfer.framing {
            Some(Framing::EofMark(ref mark)) => transfer.buf[..end - mark.len()].to_vec(),
            _ => transfer.buf,
        };
        self.finish_full_sync(payload, eof, now, io);
        true
    }

    /// Transfer complete: flush the old data, load the RDB, become CONNECTED.
    fn finish_full_sync(&mut self, payload: Vec<u8>, eof: bool, now: u64, io: &mut dyn Transport) {
        self.attach_to_new_master(now, io);
        self.log(now, Level::Notice, "MASTER <-> REPLICA sync: Flushing old data".into());
        self.keyspace = Default::default();
        self.log(now, Level::Notice, "MASTER <-> REPLICA sync: Loading DB in memory".into());
        let loaded = match rdb::decode(&payload) {
            Ok(l) => l,
            Err(e) => {
                self.log(now, Level::Warning, format!("Failed trying to load the MASTER synchronization DB from disk, check server logs. ({e})"));
                self.cancel_handshake(io);
                return;
            }
        };
        self.log_rdb_loaded(&loaded, &payload, 0, now, false);
        // The stream continues in the db the master's stream had selected
        // (`repl-stream-db`): a sub-replica of a replica gets no SELECT first.
        let db = loaded.repl.as_ref().map_or(0, |r| r.master_db());
        self.keyspace = loaded.keyspace;
        self.next_expiry_ms = Some(0);
        self.disk = Some(payload);
        let (replid, off) = self.up().full_sync.take().expect("FULLRESYNC seen");
        self.repl.replid = replid.clone();
        self.repl.offset = off;
        self.repl.replid2 = NULL_REPLID.into();
        self.repl.second_offset = -1;
        if self.backlog.is_none() {
            self.backlog = Some(Backlog::new(self.config.repl_backlog_size as u64, off));
        }
        let master = MasterLink::new(replid, off, db, now);
        let up = self.up();
        up.master = Some(master);
        up.state = ReplState::Connected;
        up.down_since_ms = 0;
        self.log(now, Level::Notice, "MASTER <-> REPLICA sync: Finished with success".into());
        if eof {
            self.send_ack();
        }
    }

    /// `replicationAttachToNewMaster`: a full sync replaces our history, so
    /// the cached master, our sub-replicas and our backlog go.
    fn attach_to_new_master(&mut self, now: u64, io: &mut dyn Transport) {
        if self.up().cached.take().is_some() {
            self.log(now, Level::Notice, "Discarding previously cached master state.".into());
        }
        self.disconnect_replicas(now, io);
        self.backlog = None;
    }

    /// The log lines of `rdbLoad`.
    pub(crate) fn log_rdb_loaded(&mut self, loaded: &rdb::Loaded, payload: &[u8], expired: usize, now: u64, startup: bool) {
        let aux = rdb::aux_fields(payload).unwrap_or_default();
        let field = |name: &[u8]| aux.iter().find(|(k, _)| k == name).and_then(|(_, v)| String::from_utf8_lossy(v).parse::<u64>().ok()).unwrap_or(0);
        self.log(now, Level::Notice, "Loading RDB produced by version 7.0.15".into());
        let age = (now / 1000).saturating_sub(field(b"ctime"));
        self.log(now, Level::Notice, format!("RDB age {age} seconds"));
        let mb = field(b"used-mem") as f64 / 1024.0 / 1024.0;
        self.log(now, Level::Notice, format!("RDB memory usage when created {} Mb", crate::engine::decimal::fixed(mb, 2)));
        let keys: usize = loaded.keyspace.dbs.iter().map(|d| d.entries.len()).sum();
        self.log(now, Level::Notice, format!("Done loading RDB, keys loaded: {keys}, keys expired: {expired}.", ));
        if startup {
            self.log(now, Level::Notice, "DB loaded from disk: 0.000 seconds".into());
        }
    }

}
