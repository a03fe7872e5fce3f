//! The directives a node knows: config.c's table rows (name, alias, value
//! type, flags) and which [`Config`] field each one sets.

use super::Config;

const INT_MAX: i64 = i32::MAX as i64;

/// How a directive's value is parsed (config.c's config types).
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Bool,
    /// Plain integer with inclusive bounds.
    Int(i64, i64),
    /// Memory value stored signed (`long long`), bounds.
    MemSigned(i64, i64),
    /// Memory value stored unsigned (`unsigned long long`).
    MemUnsigned,
    Enum,
    /// String where "" means unset.
    Str,
    /// String where "" is kept.
    StrKeepEmpty,
    /// Multi-argument special config.
    Multi,
    /// Single-argument special config.
    Special,
}

/// The [`Config`] field each directive sets: `apply` and `value_of` switch
/// on it instead of comparing names again (a name compare per arm was
/// several KB of wasm).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Port,
    Replicaof,
    ReplBacklogSize,
    ReplBacklogTtl,
    ReplTimeout,
    ReplPingReplicaPeriod,
    ReplDisklessSync,
    ReplDisklessSyncDelay,
    ReplDisklessSyncMaxReplicas,
    ReplDisklessLoad,
    ClientOutputBufferLimit,
    ReplicaReadOnly,
    Requirepass,
    Masterauth,
    Masteruser,
    MinReplicasToWrite,
    MinReplicasMaxLag,
    ReplicaServeStaleData,
    ReplicaAnnounceIp,
    ReplicaPriority,
    Maxmemory,
    Save,
    Appendonly,
    Dir,
    Dbfilename,
    Hz,
    ReplDisableTcpNodelay,
}

/// Flags from the config table.
pub(super) const IMMUTABLE: u8 = 1;
pub(super) const PROTECTED: u8 = 2;

/// One row of config.c's table: (name, alias, field, kind, flags).
pub(super) type Spec = (&'static str, Option<&'static str>, Field, Kind, u8);

/// The rows, in config.c's order.
pub(super) const SPECS: &[Spec] = &[
    ("port", None, Field::Port, Kind::Int(0, 65535), 0),
    ("replicaof", Some("slaveof"), Field::Replicaof, Kind::Multi, IMMUTABLE),
    ("repl-backlog-size", None, Field::ReplBacklogSize, Kind::MemSigned(1, i64::MAX), 0),
    ("repl-backlog-ttl", None, Field::ReplBacklogTtl, Kind::Int(0, i64::MAX), 0),
    ("repl-timeout", None, Field::ReplTimeout, Kind::Int(1, INT_MAX), 0),
    ("repl-ping-replica-period", Some("repl-ping-slave-period"), Field::ReplPingReplicaPeriod, Kind::Int(1, INT_MAX), 0),
    ("repl-diskless-sync", None, Field::ReplDisklessSync, Kind::Bool, 0),
    ("repl-diskless-sync-delay", None, Field::ReplDisklessSyncDelay, Kind::Int(0, INT_MAX), 0),
    ("repl-diskless-sync-max-replicas", None, Field::ReplDisklessSyncMaxReplicas, Kind::Int(0, INT_MAX), 0),
    ("repl-diskless-load", None, Field::ReplDisklessLoad, Kind::Enum, 0),
    ("client-output-buffer-limit", None, Field::ClientOutputBufferLimit, Kind::Multi, 0),
    ("replica-read-only", Some("slave-read-only"), Field::ReplicaReadOnly, Kind::Bool, 0),
    ("requirepass", None, Field::Requirepass, Kind::Str, 0),
    ("masterauth", None, Field::Masterauth, Kind::Str, 0),
    ("masteruser", None, Field::Masteruser, Kind::Str, 0),
    ("min-replicas-to-write", Some("min-slaves-to-write"), Field::MinReplicasToWrite, Kind::Int(0, INT_MAX), 0),
    ("min-replicas-max-lag", Some("min-slaves-max-lag"), Field::MinReplicasMaxLag, Kind::Int(0, INT_MAX), 0),
    ("replica-serve-stale-data", Some("slave-serve-stale-data"), Field::ReplicaServeStaleData, Kind::Bool, 0),
    ("replica-announce-ip", Some("slave-announce-ip"), Field::ReplicaAnnounceIp, Kind::Str, 0),
    ("replica-priority", Some("slave-priority"), Field::ReplicaPriority, Kind::Int(0, INT_MAX), 0),
    ("maxmemory", None, Field::Maxmemory, Kind::MemUnsigned, 0),
    ("save", None, Field::Save, Kind::Multi, 0),
    ("appendonly", None, Field::Appendonly, Kind::Bool, 0),
    ("dir", None, Field::Dir, Kind::Special, PROTECTED),
    ("dbfilename", None, Field::Dbfilename, Kind::StrKeepEmpty, PROTECTED),
    ("hz", None, Field::Hz, Kind::Int(0, INT_MAX), 0),
    ("repl-disable-tcp-nodelay", None, Field::ReplDisableTcpNodelay, Kind::Bool, 0),
];

/// Every name CONFIG GET can match, canonical names first, then aliases:
/// (listed name, its row). Plain loops: an iterator chain here was a
/// kilobyte of adapter code in the wasm.
pub(super) fn all_names() -> Vec<(&'static str, &'static Spec)> {
    let mut names = Vec::with_capacity(SPECS.len() + 8);
    for s in SPECS.iter() {
        names.push((s.0, s));
    }
    for s in SPECS.iter() {
        if let Some(alias) = s.1 {
            names.push((alias, s));
        }
    }
    names
}

pub(super) fn lookup(name: &str) -> Option<(&'static str, &'static Spec)> {
    for &(n, s) in &all_names() {
        if n.eq_ignore_ascii_case(name) {
            return Some((n, s));
        }
    }
    None
}

/// `field_ref`/`field_mut` pairs for the fields of one type that `apply`
/// and `value_of` treat alike.
macro_rules! fields_of_type {
    ($get:ident, $get_mut:ident, $t:ty, $($f:ident => $name:ident),* $(,)?) => {
        pub(super) fn $get(&self, f: Field) -> Option<&$t> {
            match f {
                $(Field::$f => Some(&self.$name),)*
                _ => None,
            }
        }

        pub(super) fn $get_mut(&mut self, f: Field) -> Option<&mut $t> {
            match f {
                $(Field::$f => Some(&mut self.$name),)*
                _ => None,
            }
        }
    };
}

impl Config {
    fields_of_type!(int_ref, int_mut, i64,
        ReplBacklogTtl => repl_backlog_ttl,
        ReplTimeout => repl_timeout,
        ReplPingReplicaPeriod => repl_ping_replica_period,
        ReplDisklessSyncDelay => repl_diskless_sync_delay,
        ReplDisklessSyncMaxReplicas => repl_diskless_sync_max_replicas,
        MinReplicasToWrite => min_replicas_to_write,
        MinReplicasMaxLag => min_replicas_max_lag,
        ReplicaPriority => replica_priority,
        Hz => hz,
    );
    fields_of_type!(bool_ref, bool_mut, bool,
        ReplDisklessSync => repl_diskless_sync,
        ReplicaReadOnly => replica_read_only,
        ReplicaServeStaleData => replica_serve_stale_data,
        Appendonly => appendonly,
        ReplDisableTcpNodelay => repl_disable_tcp_nodelay,
    );
    fields_of_type!(str_ref, str_mut, Option<String>,
        Requirepass => requirepass,
        Masterauth => masterauth,
        Masteruser => masteruser,
        ReplicaAnnounceIp => replica_announce_ip,
    );
}
