//! The RDB transfer of a full sync, replica side (`readSyncBulkPayload`):
//! the `$<len>` or `$EOF:<mark>` framing, then flushing the old data and
//! loading the new dataset.

use super::backlog::Backlog;
use super::handshake::{Framing, MasterLink, ReplState};
use super::log::Level;
use super::loading::LoadPurpose;
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
            // The mark is the first 40 bytes (`CONFIG_RUN_ID_SIZE`) after `$EOF:`.
            if let Some(mark) = line.strip_prefix("$EOF:").filter(|m| m.len() >= 40) {
                transfer.framing = Some(Framing::EofMark(mark.as_bytes()[..40].to_vec()));
                self.log(now, Level::Notice, "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk".into());
            } else if let Some(len) = line.strip_prefix('$').and_then(super::text::uint::<usize>) {
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
        if transfer.buf.is_empty() {
            transfer.buf = std::mem::take(&mut up.inbuf);
        } else {
            transfer.buf.append(&mut up.inbuf);
        }
        let done_at = match transfer.framing.as_ref().expect("framing") {
            Framing::Length(len) => (transfer.buf.len() >= *len).then_some(*len),
            // Like `readSyncBulkPayload`, only the last 40 bytes read are
            // compared with the mark: the master sends nothing after it
            // until our first REPLCONF ACK.
            Framing::EofMark(mark) => transfer.buf.ends_with(mark).then_some(transfer.buf.len()),
        };
        let Some(end) = done_at else { return false };
        let mut transfer = up.transfer.take().expect("transfer");
        up.inbuf = transfer.buf.split_off(end);
        let transfer_read = (transfer.buf.len() + up.inbuf.len()) as u64;
        let (eof, transfer_size) = match &transfer.framing {
            Some(Framing::EofMark(mark)) => {
                transfer.buf.truncate(end - mark.len());
                (true, 0)
            }
            _ => (false, end as i64),
        };
        // The file is renamed to dump.rdb, then loaded from there.
        self.disk = Some(transfer.buf);
        self.attach_to_new_master(now, io);
        self.log(now, Level::Notice, "MASTER <-> REPLICA sync: Flushing old data".into());
        self.keyspace = Default::default();
        self.log(now, Level::Notice, "MASTER <-> REPLICA sync: Loading DB in memory".into());
        self.start_loading(LoadPurpose::FullSync { eof, transfer_size, transfer_read }, now, io);
        true
    }

    /// The load of a full sync's file is done: take the new dataset and
    /// history, become CONNECTED.
    pub(crate) fn finish_sync_load(&mut self, loaded: rdb::Loaded, eof: bool, now: u64, io: &mut dyn Transport) {
        self.log_rdb_done(loaded.keyspace.total_keys() as u64, 0, now);
        // The stream continues in the db the master's stream had selected
        // (`repl-stream-db`): a sub-replica of a replica gets no SELECT first.
        let db = loaded.repl.as_ref().map_or(0, |r| r.master_db());
        self.keyspace = loaded.keyspace;
        self.next_expiry_ms = Some(0);
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
        // What the master streamed while we were loading waits in the buffer.
        self.stream_buffered(now, io);
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
}
