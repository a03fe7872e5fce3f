//! Every string the page shows, in one table: a key and its English text.
//! A Chinese column comes next; placeholders are positional (`{0}`, `{1}`)
//! so a translation may reorder them. Redis's own words (log lines, replies,
//! INFO fields, `REPL_STATE_*`) are never translated.

use std::fmt::Display;

/// (key, English).
const STRINGS: &[(&str, &str)] = &[
    ("tagline", "Redis 7.0 replication, simulated byte for byte"),
    ("ctl.play", "▶ Play"),
    ("ctl.pause", "‖ Pause"),
    ("ctl.step", "Step"),
    ("ctl.skip", "Next event »"),
    ("ctl.speed", "Speed"),
    ("ctl.time", "t = {0} s"),
    ("ctl.seed", "Seed"),
    ("ctl.reset", "Reset"),
    ("ctl.add", "+ Node"),
    ("ctl.present", "Presentation"),
    ("load.title", "Write load"),
    ("load.rate", "Writes/s"),
    ("load.per_s", "{0}/s"),
    ("load.size", "Value size"),
    ("load.count", "{0} writes sent"),
    ("topo.title", "Topology: masters above their replicas, messages in flight on the links"),
    ("topo.cut", "✂ cut"),
    ("role.master", "master"),
    ("role.replica_of", "replica of {0}"),
    ("role.stopped", "stopped"),
    ("node.replid", "replid {0}…"),
    ("node.offset", "offset {0}"),
    ("node.keys", "keys {0}"),
    ("node.link_up", "link up"),
    ("node.link_down", "link down ({0})"),
    ("node.title_master", "Node {0} · master"),
    ("node.title_replica", "Node {0} · replica of {1}"),
    ("node.title_stopped", "Node {0} · stopped"),
    ("node.stop", "Stop"),
    ("node.start", "Start"),
    ("node.restart_save", "Restart (save)"),
    ("node.restart_nosave", "Restart (nosave)"),
    ("node.promote", "Promote (REPLICAOF NO ONE)"),
    ("node.remove", "Remove"),
    ("node.replicaof", "Replicate from"),
    ("node.replicaof_go", "REPLICAOF"),
    ("link.title", "Link {0} → {1}: {2}"),
    ("link.ok", "working"),
    ("link.cut", "cut"),
    ("link.do_cut", "✂ Cut"),
    ("link.do_heal", "Heal"),
    ("link.do_kill", "Kill connection"),
    ("link.latency", "Latency (ms)"),
    ("link.bandwidth", "Bandwidth"),
    ("kind.handshake", "handshake"),
    ("kind.psync", "+FULLRESYNC / +CONTINUE"),
    ("kind.rdb", "RDB transfer"),
    ("kind.stream", "command stream"),
    ("kind.ping", "PING heartbeat"),
    ("kind.ack", "REPLCONF ACK"),
    ("kind.keepalive", "keepalive \\n"),
    ("kind.reply", "reply"),
    ("kind.tcp", "TCP connect/close"),
    ("kind.other", "other"),
    ("msg.held", "✂ {0} held on the cut link"),
    ("msg.hint", "Tap a message on a link to see its bytes."),
    ("msg.head", "{0} → {1} · {2} bytes · sent at {3} ms, arrives at {4} ms"),
    ("phases.title", "Six phases of replication"),
    ("phases.none", "No replicas."),
    ("phase.1", "save master info"),
    ("phase.2", "connect"),
    ("phase.3", "PING"),
    ("phase.4", "auth"),
    ("phase.5", "sync data"),
    ("phase.6", "propagate"),
    ("console.title", "Console"),
    ("console.placeholder", "type a command, e.g. SET hello world"),
    ("console.send", "Send"),
    ("console.closed", "Error: Server closed the connection"),
    ("backlog.title", "Replication backlog"),
    ("backlog.title_of", "Replication backlog of {0}"),
    ("backlog.none", "No backlog yet: the master creates it when the first replica connects."),
    ("backlog.none_running", "The selected node's master is not running."),
    ("backlog.summary", "window [{0}, {1}] · histlen {2} · {3} blocks · master_repl_offset {4}"),
    ("backlog.gone", "trimmed"),
    ("backlog.block", "block"),
    ("backlog.size", "repl-backlog-size"),
    ("backlog.master_mark", "▼ master {0}"),
    ("backlog.marker", "▲ {0} needs {1}"),
    ("backlog.marker_full", "▲ {0} needs {1}: needs full resync"),
    ("backlog.marker_other", "▲ {0} at {1}, other history: needs full resync"),
    ("backlog.marker_none", "▲ {0} has no master state: needs full resync"),
    ("psync.from", "PSYNC from {0}"),
    ("psync.partial", "offset {0} is inside the backlog → partial resync (+CONTINUE), {1} bytes"),
    ("psync.partial2", "replid matches replid2 up to {0} → partial resync, {1} bytes"),
    ("psync.full_requested", "PSYNC ? -1: no cached master → full resync"),
    ("psync.full_id", "replid {0}… is neither {1}… nor {2}… → full resync"),
    ("psync.full_id2", "replid matches replid2 but offset {0} > {1} → full resync"),
    ("psync.full_low", "offset {0} < backlog start {1} → full resync"),
    ("psync.full_high", "offset {0} > backlog end {1} → full resync"),
    ("psync.full_none", "no backlog → full resync"),
    ("info.title", "INFO replication"),
    ("info.title_of", "INFO replication · {0}"),
    ("info.stopped", "This node is not running."),
    ("logs.title", "Log"),
    ("logs.title_of", "Log · {0}"),
    ("logs.filter", "Filter"),
    ("config.title", "Replication config"),
    ("config.title_of", "Replication config · {0}"),
    ("config.set", "CONFIG SET"),
];

/// The English text for `key` (the key itself if the table lacks it).
pub fn t(key: &str) -> &str {
    STRINGS.iter().find(|(k, _)| *k == key).map_or(key, |(_, en)| en)
}

/// `t(key)` with `{0}`, `{1}`, ... replaced by `args`.
pub fn tf(key: &str, args: &[&dyn Display]) -> String {
    let mut out = t(key).to_string();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), &a.to_string());
    }
    out
}

/// Every key, for checks that the table is complete.
pub fn keys() -> impl Iterator<Item = &'static str> {
    STRINGS.iter().map(|(k, _)| *k)
}
