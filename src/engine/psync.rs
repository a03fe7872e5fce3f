//! The master side of PSYNC (`syncCommand`, `masterTryPartialResynchronization`):
//! decide between a partial resync from the backlog and a full resync, and
//! say why. The decision is kept so the page can show it.

use super::backlog::Backlog;
use super::log::Level;
use super::net::ConnId;
use super::node::{Client, Node, NULL_REPLID};
use super::replicas::{ReplicaLink, ReplicaState};

/// Why the master chose what it chose for one PSYNC request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PsyncDecision {
    /// `+CONTINUE`: the backlog holds everything from the requested offset.
    Partial {
        /// Requested offset.
        offset: u64,
        /// Bytes sent from the backlog.
        bytes: u64,
        /// The request matched replid2 (a promoted replica's old history).
        via_replid2: bool,
    },
    /// `PSYNC ? -1`: the replica has nothing cached.
    FullRequested,
    /// The replica's replid is neither of ours (or too far along replid2).
    FullIdMismatch {
        /// The replid the replica asked for.
        asked: String,
        /// Its requested offset.
        offset: i64,
        /// Our replid and replid2.
        ours: (String, String),
        /// `second_repl_offset` when replid2 matched but the offset is past it.
        second_offset: Option<i64>,
    },
    /// The offset is outside the backlog window (or there is no backlog).
    FullNoBacklog {
        /// Requested offset.
        offset: i64,
        /// The backlog window `[first, first + histlen]`, if there is a backlog.
        window: Option<(u64, u64)>,
    },
}

/// One PSYNC the master answered, for the page's callout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsyncEvent {
    /// When it was answered (Unix ms).
    pub time_ms: u64,
    /// The replica, as `127.0.0.1:port`.
    pub replica: String,
    /// What was decided and why.
    pub decision: PsyncDecision,
    /// What the replica asked for: `PSYNC <replid> <offset>` (`?` and -1
    /// for a full resync request).
    pub request: (String, i64),
    /// The master's replication state the decision was taken on.
    pub state: PsyncState,
}

/// The master's replication state at a PSYNC: the inputs of the decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsyncState {
    /// `server.replid`.
    pub replid: String,
    /// `server.replid2`.
    pub replid2: String,
    /// `server.second_replid_offset`.
    pub second_offset: i64,
    /// `server.master_repl_offset`.
    pub offset: u64,
    /// The backlog as `(repl_backlog_first_byte_offset, repl_backlog_histlen)`,
    /// if there is one.
    pub backlog: Option<(u64, u64)>,
}

impl Node {
    /// `127.0.0.1:<listening-port>`, how the master names a replica.
    pub(crate) fn replica_name(client: &Client) -> String {
        format!("127.0.0.1:{}", client.listening_port.unwrap_or(client.addr_port))
    }

    /// `PSYNC replid offset` (or `SYNC`) from a network client.
    pub(crate) fn sync_command(&mut self, conn: ConnId, client: &mut Client, replid: &str, offset: i64, now: u64) {
        if client.replica.is_some() {
            return;
        }
        if self.upstream.as_ref().is_some_and(|u| !u.is_connected()) {
            client.out.extend(b"-NOMASTERLINK Can't SYNC while not connected with my master\r\n");
            return;
        }
        let name = Self::replica_name(client);
        self.log(now, Level::Notice, format!("Replica {name} asks for synchronization"));
        let state = PsyncState {
            replid: self.repl.replid.clone(),
            replid2: self.repl.replid2.clone(),
            second_offset: self.repl.second_offset,
            offset: self.repl.offset,
            backlog: self.backlog.as_ref().map(|b| (b.repl_backlog_first_byte_offset(), b.repl_backlog_histlen())),
        };
        let request = (replid.to_string(), offset);
        let decision = self.decide_psync(replid, offset);
        let _ = conn;
        if let PsyncDecision::Partial { offset: off, bytes, .. } = decision {
            let reply = if client.capa_psync2 { format!("+CONTINUE {}\r\n", self.repl.replid) } else { "+CONTINUE\r\n".into() };
            client.out.extend(reply.as_bytes());
            let mut link = ReplicaLink::new(ReplicaState::Online, now);
            link.stream_from = Some(off);
            link.ack_time_ms = now;
            client.replica = Some(link);
            self.stats.sync_partial_ok += 1;
            let msg = format!("Partial resynchronization request from {name} accepted. Sending {bytes} bytes of backlog starting from offset {off}.");
            self.log(now, Level::Notice, msg);
        } else {
            match &decision {
                PsyncDecision::FullRequested => self.log(now, Level::Notice, format!("Full resync requested by replica {name}")),
                PsyncDecision::FullIdMismatch { asked, ours, second_offset: None, .. } => {
                    let msg = format!("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{asked}', my replication IDs are '{}' and '{}')", ours.0, ours.1);
                    self.log(now, Level::Notice, msg);
                }
                PsyncDecision::FullIdMismatch { offset, second_offset: Some(second), .. } => {
                    let msg = format!("Partial resynchronization not accepted: Requested offset for second ID was {offset}, but I can reply up to {second}");
                    self.log(now, Level::Notice, msg);
                }
                PsyncDecision::FullNoBacklog { offset, .. } => {
                    let msg = format!("Unable to partial resync with replica {name} for lack of backlog (Replica request was: {offset}).");
                    self.log(now, Level::Notice, msg);
                }
                PsyncDecision::Partial { .. } => unreachable!("handled above"),
            }
            if decision != PsyncDecision::FullRequested {
                self.stats.sync_partial_err += 1;
            }
            self.start_full_sync(client, now);
        }
        self.psync_events.push(PsyncEvent { time_ms: now, replica: name, decision, request, state });
    }

    /// The conditions of `masterTryPartialResynchronization`.
    pub fn decide_psync(&self, replid: &str, offset: i64) -> PsyncDecision {
        if replid == "?" {
            return PsyncDecision::FullRequested;
        }
        let ours = (self.repl.replid.clone(), self.repl.replid2.clone());
        let main = replid.eq_ignore_ascii_case(&self.repl.replid);
        let second = replid.eq_ignore_ascii_case(&self.repl.replid2) && replid != NULL_REPLID;
        if !main && (!second || offset > self.repl.second_offset) {
            let second_offset = (second && offset > self.repl.second_offset).then_some(self.repl.second_offset);
            return PsyncDecision::FullIdMismatch { asked: replid.to_string(), offset, ours, second_offset };
        }
        let window = self.backlog.as_ref().map(|b| {
            let first = b.repl_backlog_first_byte_offset();
            (first, first + b.repl_backlog_histlen())
        });
        match window {
            Some((lo, hi)) if offset >= 0 && (offset as u64) >= lo && (offset as u64) <= hi => PsyncDecision::Partial {
                offset: offset as u64,
                bytes: self.repl.offset + 1 - offset as u64,
                via_replid2: !main,
            },
            _ => PsyncDecision::FullNoBacklog { offset, window },
        }
    }

    /// Full resync: the client becomes a replica waiting for a BGSAVE; the
    /// first replica ever creates the backlog under a new replication ID.
    fn start_full_sync(&mut self, client: &mut Client, now: u64) {
        client.replica = Some(ReplicaLink::new(ReplicaState::WaitBgsaveStart, now));
        self.stats.sync_full += 1;
        if self.backlog.is_none() {
            self.change_replication_id();
            self.clear_replication_id2();
            self.backlog = Some(Backlog::new(self.config.repl_backlog_size as u64, self.repl.offset));
            let msg = format!(
                "Replication backlog created, my new replication IDs are '{}' and '{}'",
                self.repl.replid, self.repl.replid2
            );
            self.log(now, Level::Notice, msg);
        }
        let disk_child = self.child.as_ref().map(|c| !c.socket);
        match disk_child {
            Some(true) => {
                // A disk BGSAVE is running: attach to it if a replica already waits for it.
                let donor = self.clients.values().filter_map(|c| c.replica.as_ref()).find(|r| r.state == ReplicaState::WaitBgsaveEnd).map(|r| r.psync_initial_offset);
                match donor {
                    Some(off) => {
                        self.log(now, Level::Notice, "Waiting for end of BGSAVE for SYNC".into());
                        self.setup_full_resync(client, off);
                    }
                    None => self.log(now, Level::Notice, "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC".into()),
                }
            }
            Some(false) => self.log(now, Level::Notice, "Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC".into()),
            None => {
                if self.config.repl_diskless_sync && client.capa_eof && self.config.repl_diskless_sync_delay > 0 {
                    self.log(now, Level::Notice, "Delay next BGSAVE for diskless SYNC".into());
                } else {
                    self.start_bgsave_for_replication(Some(client), now);
                }
            }
        }
    }

    /// `changeReplicationId`: a new random replication ID.
    pub(crate) fn change_replication_id(&mut self) {
        self.repl.replid = self.rng.hex40();
    }

    /// `clearReplicationId2`.
    pub(crate) fn clear_replication_id2(&mut self) {
        self.repl.replid2 = NULL_REPLID.into();
        self.repl.second_offset = -1;
    }

    /// `shiftReplicationId`: the current ID becomes replid2, valid up to
    /// offset + 1, and a new ID starts (REPLICAOF NO ONE).
    pub(crate) fn shift_replication_id(&mut self, now: u64) {
        self.repl.replid2 = self.repl.replid.clone();
        self.repl.second_offset = self.repl.offset as i64 + 1;
        self.change_replication_id();
        let msg = format!(
            "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
            self.repl.replid2, self.repl.second_offset, self.repl.replid
        );
        self.log(now, Level::Warning, msg);
    }
}
