//! `INFO` and `ROLE`, field for field in redis-server 7.0's order
//! (`genRedisInfoString`, `roleCommand`).

use std::fmt::Write;

use super::decimal::fixed;
use super::handshake::ReplState;
use super::node::Node;
use super::replicas::ReplicaState;
use super::resp::Reply;

/// Sections printed by a bare `INFO` (the "default" set).
const DEFAULT_SECTIONS: &[&str] = &["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "cluster", "keyspace"];

impl Node {
    /// The text of `INFO [section ...]`, lines ending in `\r\n`.
    pub fn info(&self, sections: &[String], now: u64) -> String {
        let all = sections.is_empty() || sections.iter().any(|s| s.eq_ignore_ascii_case("all") || s.eq_ignore_ascii_case("everything") || s.eq_ignore_ascii_case("default"));
        let mut wanted: Vec<String> = Vec::new();
        if all {
            for s in DEFAULT_SECTIONS {
                wanted.push(s.to_string());
            }
        } else {
            for s in sections {
                wanted.push(s.to_ascii_lowercase());
            }
        }
        let mut parts = Vec::new();
        for name in DEFAULT_SECTIONS {
            if !wanted.iter().any(|w| w == name) {
                continue;
            }
            parts.push(match *name {
                "server" => self.info_server(now),
                "clients" => self.info_clients(),
                "memory" => self.info_memory(),
                "persistence" => self.info_persistence(now),
                "stats" => self.info_stats(),
                "replication" => self.info_replication(now),
                "cpu" => "# CPU\r\nused_cpu_sys:0.000000\r\nused_cpu_user:0.000000\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n".to_string(),
                "cluster" => "# Cluster\r\ncluster_enabled:0\r\n".to_string(),
                _ => self.info_keyspace(now),
            });
        }
        super::text::join(&parts, "\r\n")
    }

    fn info_server(&self, now: u64) -> String {
        let uptime = now.saturating_sub(self.started_ms) / 1000;
        format!(
            "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:standalone\r\nos:replscope virtual machine\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\nprocess_id:{}\r\nprocess_supervised:no\r\nrun_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:{}\r\nexecutable:/usr/bin/redis-server\r\nconfig_file:\r\nio_threads_active:0\r\n",
            self.pid,
            self.run_id,
            self.port,
            now * 1000,
            uptime,
            uptime / 86400,
            (now / 1000) & ((1 << 24) - 1)
        )
    }

    fn info_clients(&self) -> String {
        let normal = self.clients.values().filter(|c| c.replica.is_none()).count() + self.locals.len();
        let blocked = self.locals.values().filter(|c| c.blocked.is_some()).count();
        format!("# Clients\r\nconnected_clients:{normal}\r\ncluster_connections:0\r\nmaxclients:10000\r\nclient_recent_max_input_buffer:20480\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:{blocked}\r\ntracking_clients:0\r\nclients_in_timeout_table:{blocked}\r\n")
    }

    fn info_memory(&self) -> String {
        let used = self.used_memory();
        let repl = self.backlog.as_ref().map_or(0, |b| b.repl_buffer_mem());
        format!(
            "# Memory\r\nused_memory:{used}\r\nused_memory_human:{}M\r\nmaxmemory:{}\r\nmaxmemory_policy:noeviction\r\nmem_total_replication_buffers:{repl}\r\nmem_replication_backlog:{repl}\r\n",
            fixed(used as f64 / 1048576.0, 2),
            self.config.maxmemory
        )
    }

    /// The persistence fields of features the engine leaves out (AOF,
    /// module forks), as a server without them prints them.
    const AOF_AND_MODULE_FORK: &'static str = "aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n";

    fn info_persistence(&self, now: u64) -> String {
        let saving = self.child.is_some();
        // While loading, the key count grows as the file is read.
        let keys = self.loading.as_ref().map_or(self.stats.rdb_last_load_keys_loaded, |l| l.loader.keys_loaded());
        let current = self.child.as_ref().map_or(-1, |c| (now.saturating_sub(c.started_ms) / 1000) as i64);
        let mut o = format!(
            "# Persistence\r\nloading:{}\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:{}\r\nrdb_last_save_time:{}\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:{}\r\nrdb_current_bgsave_time_sec:{current}\r\nrdb_saves:{}\r\nrdb_last_cow_size:0\r\nrdb_last_load_keys_expired:{}\r\nrdb_last_load_keys_loaded:{keys}\r\n{}",
            u8::from(self.loading.is_some()),
            self.dirty,
            u8::from(saving),
            self.lastsave_s.min(now / 1000),
            self.stats.rdb_last_bgsave_time_s.map_or(-1, |s| s as i64),
            self.stats.rdb_saves,
            self.stats.rdb_last_load_keys_expired,
            Self::AOF_AND_MODULE_FORK,
        );
        if let Some(loading) = &self.loading {
            o.push_str(&loading.info_lines(now));
        }
        o
    }

    fn info_stats(&self) -> String {
        let s = &self.stats;
        format!(
            "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\ninstantaneous_ops_per_sec:0\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\ntotal_net_repl_input_bytes:{}\r\ntotal_net_repl_output_bytes:{}\r\ninstantaneous_input_kbps:0.00\r\ninstantaneous_output_kbps:0.00\r\ninstantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\nrejected_connections:0\r\nsync_full:{}\r\nsync_partial_ok:{}\r\nsync_partial_err:{}\r\nexpired_keys:{}\r\nevicted_keys:0\r\nkeyspace_hits:{}\r\nkeyspace_misses:{}\r\n",
            s.total_connections_received,
            s.total_commands_processed,
            s.net_input_bytes,
            s.net_output_bytes,
            s.net_repl_input_bytes,
            s.net_repl_output_bytes,
            s.sync_full,
            s.sync_partial_ok,
            s.sync_partial_err,
            s.expired_keys,
            s.keyspace_hits,
            s.keyspace_misses
        )
    }

    /// The `# Replication` section.
    pub fn info_replication(&self, now: u64) -> String {
        let mut o = String::from("# Replication\r\n");
        let now_s = now / 1000;
        match &self.upstream {
            None => o.push_str("role:master\r\n"),
            Some(up) => {
                o.push_str("role:slave\r\n");
                let link = up.master.as_ref().or(up.cached.as_ref());
                let (read_off, off) = link.map_or((1, 1), |m| (m.read_reploff, m.reploff));
                let connected = up.state == ReplState::Connected;
                let last_io = up.master.as_ref().filter(|_| connected).map_or(-1, |m| now_s.saturating_sub(m.last_interaction_ms / 1000) as i64);
                let _ = write!(
                    o,
                    "master_host:{}\r\nmaster_port:{}\r\nmaster_link_status:{}\r\nmaster_last_io_seconds_ago:{}\r\nmaster_sync_in_progress:{}\r\nslave_read_repl_offset:{}\r\nslave_repl_offset:{}\r\n",
                    up.host,
                    up.port,
                    if connected { "up" } else { "down" },
                    last_io,
                    u8::from(up.state == ReplState::Transfer),
                    read_off,
                    off
                );
                if up.state == ReplState::Transfer {
                    let (total, read) = self.transfer_progress();
                    // Redis's own arithmetic: before the `$` line the size is
                    // -1 (so the percentage prints as -0.00); an EOF-marked
                    // stream has size 0.
                    let perc = if total != 0 { read as f64 * 100.0 / total as f64 } else { 0.0 };
                    let perc = if perc == 0.0 && total < 0 { "-0.00".to_string() } else { fixed(perc, 2) };
                    let io_ago = now_s.saturating_sub(up.lastio_ms / 1000);
                    let _ = write!(o, "master_sync_total_bytes:{total}\r\nmaster_sync_read_bytes:{read}\r\nmaster_sync_left_bytes:{}\r\nmaster_sync_perc:{perc}\r\nmaster_sync_last_io_seconds_ago:{io_ago}\r\n", total - read);
                }
                if !connected {
                    let down = if up.down_since_ms == 0 { -1 } else { now_s.saturating_sub(up.down_since_ms / 1000) as i64 };
                    let _ = write!(o, "master_link_down_since_seconds:{down}\r\n");
                }
                let _ = write!(o, "slave_priority:{}\r\nslave_read_only:{}\r\nreplica_announced:1\r\n", self.config.replica_priority, u8::from(self.config.replica_read_only));
            }
        }
        let _ = write!(o, "connected_slaves:{}\r\n", self.connected_replicas());
        if self.config.min_replicas_to_write > 0 && self.config.min_replicas_max_lag > 0 {
            let _ = write!(o, "min_slaves_good_slaves:{}\r\n", self.good_replicas(now));
        }
        for (i, c) in self.clients.values().filter(|c| c.replica.is_some()).enumerate() {
            let r = c.replica.as_ref().expect("replica");
            let lag = if r.state == ReplicaState::Online { now_s.saturating_sub(r.ack_time_ms / 1000) } else { 0 };
            let port = c.listening_port.unwrap_or(c.addr_port);
            let _ = write!(o, "slave{i}:ip=127.0.0.1,port={port},state={},offset={},lag={lag}\r\n", r.state.info_word(), r.ack_off);
        }
        let (active, size, first, hist) = match &self.backlog {
            Some(b) => (1, b.repl_backlog_size(), b.repl_backlog_first_byte_offset(), b.repl_backlog_histlen()),
            None => (0, self.config.repl_backlog_size as u64, 0, 0),
        };
        let _ = write!(
            o,
            "master_failover_state:no-failover\r\nmaster_replid:{}\r\nmaster_replid2:{}\r\nmaster_repl_offset:{}\r\nsecond_repl_offset:{}\r\nrepl_backlog_active:{active}\r\nrepl_backlog_size:{size}\r\nrepl_backlog_first_byte_offset:{first}\r\nrepl_backlog_histlen:{hist}\r\n",
            self.repl.replid, self.repl.replid2, self.repl.offset, self.repl.second_offset
        );
        o
    }

    /// `repl_transfer_size` and `repl_transfer_read` of a full sync.
    fn transfer_progress(&self) -> (i64, i64) {
        if let Some(super::loading::LoadPurpose::FullSync { transfer_size, transfer_read, .. }) = self.loading.as_ref().map(|l| &l.purpose) {
            return (*transfer_size, *transfer_read as i64);
        }
        let Some(t) = self.upstream.as_ref().and_then(|u| u.transfer.as_ref()) else { return (-1, 0) };
        match &t.framing {
            None => (-1, 0),
            Some(super::handshake::Framing::Length(n)) => (*n as i64, t.buf.len() as i64),
            Some(super::handshake::Framing::EofMark(_)) => (0, t.buf.len() as i64),
        }
    }

    fn info_keyspace(&self, now: u64) -> String {
        let mut o = String::from("# Keyspace\r\n");
        // A loading server counts the keys read so far.
        let keyspace = self.loading.as_ref().map_or(&self.keyspace, |l| l.loader.keyspace());
        for (i, db) in keyspace.dbs.iter().enumerate() {
            if db.entries.is_empty() {
                continue;
            }
            let (mut expires, mut sum) = (0u64, 0u64);
            for e in db.entries.values() {
                if let Some(t) = e.expire_at_ms {
                    expires += 1;
                    sum += t.saturating_sub(now);
                }
            }
            let avg = if expires == 0 { 0 } else { sum / expires };
            let _ = write!(o, "db{i}:keys={},expires={expires},avg_ttl={avg}\r\n", db.entries.len());
        }
        o
    }

    /// The reply to `ROLE`.
    pub fn role(&self) -> Reply {
        match &self.upstream {
            None => {
                let mut replicas = Vec::new();
                for c in self.clients.values() {
                    let Some(r) = c.replica.as_ref().filter(|r| r.state == ReplicaState::Online) else { continue };
                    let port = c.listening_port.unwrap_or(c.addr_port);
                    replicas.push(Reply::Array(vec![Reply::bulk("127.0.0.1"), Reply::bulk(port.to_string()), Reply::bulk(r.ack_off.to_string())]));
                }
                Reply::Array(vec![Reply::bulk("master"), Reply::Integer(self.repl.offset as i64), Reply::Array(replicas)])
            }
            Some(up) => {
                let off = up.master.as_ref().map_or(-1, |m| m.reploff as i64);
                Reply::Array(vec![
                    Reply::bulk("slave"),
                    Reply::bulk(&up.host),
                    Reply::Integer(i64::from(up.port)),
                    Reply::bulk(up.state.role_word()),
                    Reply::Integer(off),
                ])
            }
        }
    }
}
