//! The invariants, checked against the simulator's state: cheap ones after
//! every simulation step, the rest after every directive, convergence at
//! the end. Each evaluation of one invariant on one node counts as a check.

use std::collections::BTreeMap;

use replscope::engine::net::ConnId;
use replscope::engine::node::Node;
use replscope::engine::psync::{PsyncDecision, PsyncEvent};
use replscope::engine::replicas::ReplicaState;
use replscope::engine::resp::Reply;
use replscope::engine::sim::Sim;

/// A broken invariant: which one (shrinking keeps this stable) and the facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The invariant's name.
    pub kind: &'static str,
    /// What was observed.
    pub detail: String,
}

fn fail(kind: &'static str, detail: String) -> Result<(), Failure> {
    Err(Failure { kind, detail })
}

/// What the checker remembers about a node between observations.
#[derive(Clone, Debug, Default)]
struct Seen {
    run_id: String,
    /// PSYNCs answered (`sync_full + sync_partial_ok`) already checked.
    psyncs: u64,
    /// The live master link last seen: (master port, connection, offset).
    link: Option<(u16, ConnId, u64)>,
}

/// Invariant checker for one run.
#[derive(Debug, Default)]
pub struct Checker {
    /// Invariant evaluations so far.
    pub checks: u64,
    seen: BTreeMap<u16, Seen>,
}

/// The decision `masterTryPartialResynchronization` must take for a request,
/// derived from the recorded state: partial exactly when the replid matches
/// (or replid2 does and the offset is not past `second_repl_offset`) and the
/// offset lies inside the backlog window.
fn expect_partial(ev: &PsyncEvent) -> bool {
    let (id, off) = (&ev.request.0, ev.request.1);
    let s = &ev.state;
    if id == "?" {
        return false;
    }
    let history = id.eq_ignore_ascii_case(&s.replid) || (id.eq_ignore_ascii_case(&s.replid2) && off <= s.second_offset);
    let in_window = s.backlog.is_some_and(|(first, hist)| off >= first as i64 && off <= (first + hist) as i64);
    history && in_window
}

/// The master-side client a replica's connection arrives at, if that master
/// still has it as a replica.
fn replica_link_at(master: &Node, conn: ConnId) -> Option<&replscope::engine::replicas::ReplicaLink> {
    master.clients.get(&conn.peer())?.replica.as_ref()
}

impl Checker {
    fn count(&mut self) {
        self.checks += 1;
    }

    /// Cheap invariants, after every simulation step: PSYNC decisions and
    /// offsets that never go backwards on a live link.
    pub fn step(&mut self, sim: &Sim) -> Result<(), Failure> {
        for (&port, node) in &sim.nodes {
            let seen = self.seen.entry(port).or_default();
            if seen.run_id != node.run_id {
                *seen = Seen { run_id: node.run_id.clone(), ..Seen::default() };
            }
            let answered = node.stats.sync_full + node.stats.sync_partial_ok;
            let new = answered.saturating_sub(seen.psyncs) as usize;
            seen.psyncs = answered;
            let events = &node.psync_events[node.psync_events.len().saturating_sub(new)..];
            let link_now = node.upstream.as_ref().filter(|u| u.is_connected()).and_then(|u| Some((u.port, u.conn?, node.repl.offset)));
            let link_before = std::mem::replace(&mut seen.link, link_now);
            for ev in events {
                self.check_psync(port, ev)?;
            }
            self.count();
            if let (Some((mp, c, before)), Some((np, nc, after))) = (link_before, link_now)
                && (mp, c) == (np, nc) && after < before {
                return fail("offset went backwards", format!("replica {port} connected to {mp}: offset {before} -> {after}"));
            }
            if let Some(up) = node.upstream.as_ref().filter(|u| u.is_connected()) {
                self.count();
                let reploff = up.master.as_ref().map(|m| m.reploff);
                if reploff != Some(node.repl.offset) {
                    return fail("replica offsets disagree", format!("replica {port}: reploff {reploff:?}, master_repl_offset {}", node.repl.offset));
                }
            }
        }
        Ok(())
    }

    fn check_psync(&mut self, port: u16, ev: &PsyncEvent) -> Result<(), Failure> {
        self.count();
        let partial = matches!(ev.decision, PsyncDecision::Partial { .. });
        if partial != expect_partial(ev) {
            return fail("wrong PSYNC decision", format!("master {port}, {}: request {:?}, state {:?}, decided {:?}", ev.replica, ev.request, ev.state, ev.decision));
        }
        if let PsyncDecision::Partial { offset, bytes, .. } = ev.decision {
            self.count();
            if offset as i64 != ev.request.1 || offset + bytes != ev.state.offset + 1 {
                return fail("wrong PSYNC backlog size", format!("master {port}: {ev:?}"));
            }
        }
        Ok(())
    }

    /// After every directive: the step invariants, INFO against ROLE, and
    /// on every genuine live link the replica is not ahead of its master and
    /// has the master's data when it has its offset.
    pub fn directive(&mut self, sim: &Sim) -> Result<(), Failure> {
        self.step(sim)?;
        for (&port, node) in &sim.nodes {
            self.info_matches_role(port, node, sim.now)?;
            let Some(up) = node.upstream.as_ref().filter(|u| u.is_connected()) else { continue };
            let (Some(master), Some(conn)) = (sim.node(up.port), up.conn) else { continue };
            let genuine = replica_link_at(master, conn).is_some() && master.repl.replid == node.repl.replid;
            if !genuine {
                continue;
            }
            self.count();
            if node.repl.offset > master.repl.offset {
                return fail("replica ahead of master", format!("replica {port} offset {} > master {} offset {}", node.repl.offset, up.port, master.repl.offset));
            }
            self.count();
            if node.repl.offset == master.repl.offset && node.keyspace != master.keyspace {
                return fail("same offset, different data", format!("replica {port} and master {} at offset {}:\n{}", up.port, node.repl.offset, diff(master, node)));
            }
        }
        Ok(())
    }

    fn info_matches_role(&mut self, port: u16, node: &Node, now: u64) -> Result<(), Failure> {
        self.count();
        let info = node.info(&["replication".to_string()], now);
        let field = |name: &str| info.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':')).unwrap_or("").to_string();
        let Reply::Array(role) = node.role() else { return fail("INFO disagrees with ROLE", format!("{port}: ROLE is not an array")) };
        let text = |r: &Reply| match r {
            Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            Reply::Integer(i) => i.to_string(),
            other => format!("{other:?}"),
        };
        let mismatch = |what: &str| fail("INFO disagrees with ROLE", format!("{port}: {what}\nROLE {role:?}\n{info}"));
        match text(&role[0]).as_str() {
            "master" => {
                if field("role") != "master" || field("master_repl_offset") != text(&role[1]) {
                    return mismatch("role or offset");
                }
                let Reply::Array(listed) = &role[2] else { return mismatch("replica list") };
                let slaves: Vec<&str> = info.lines().filter(|l| l.starts_with("slave") && l.contains(":ip=")).collect();
                let online: Vec<&&str> = slaves.iter().filter(|l| l.contains("state=online")).collect();
                if field("connected_slaves") != slaves.len().to_string() || online.len() != listed.len() {
                    return mismatch("connected replicas");
                }
                for r in listed {
                    let Reply::Array(r) = r else { return mismatch("replica entry") };
                    let entry = format!("port={},state=online,offset={},", text(&r[1]), text(&r[2]));
                    if !online.iter().any(|l| l.contains(&entry)) {
                        return mismatch("a replica's port or offset");
                    }
                }
            }
            _ => {
                let connected = text(&role[3]) == "connected";
                let same = field("role") == "slave"
                    && field("master_host") == text(&role[1])
                    && field("master_port") == text(&role[2])
                    && (field("master_link_status") == "up") == connected
                    && (!connected || (field("slave_repl_offset") == text(&role[4]) && field("master_repl_offset") == text(&role[4])));
                if !same {
                    return mismatch("replica fields");
                }
            }
        }
        Ok(())
    }

    /// At the end, after healing and waiting: every replica whose chain of
    /// masters reaches a running master is connected, online at its master,
    /// with the same replication ID, offset and data.
    pub fn settled(&mut self, sim: &Sim) -> Result<(), Failure> {
        self.directive(sim)?;
        for (&port, node) in &sim.nodes {
            let Some(up) = node.upstream.as_ref() else { continue };
            if !reaches_a_master(sim, port) {
                continue;
            }
            let master = sim.node(up.port).expect("checked by reaches_a_master");
            self.count();
            if !up.is_connected() {
                return fail("replica not connected at the end", format!("replica {port} of {}: state {:?}", up.port, up.state));
            }
            self.count();
            let online = up.conn.and_then(|c| replica_link_at(master, c)).is_some_and(|l| l.state == ReplicaState::Online);
            if !online {
                return fail("master does not see its replica online", format!("replica {port} of {}", up.port));
            }
            self.count();
            if node.repl.replid != master.repl.replid || node.repl.offset != master.repl.offset {
                let (a, b) = (&node.repl, &master.repl);
                return fail("offsets differ at the end", format!("replica {port} {}:{} vs master {} {}:{}", a.replid, a.offset, up.port, b.replid, b.offset));
            }
            self.count();
            if node.keyspace != master.keyspace {
                return fail("data differs at the end", format!("replica {port} vs master {}:\n{}", up.port, diff(master, node)));
            }
        }
        Ok(())
    }
}

/// Whether following `port`'s masters ends at a running master (no stopped
/// node and no cycle on the way).
fn reaches_a_master(sim: &Sim, port: u16) -> bool {
    let mut cur = port;
    for _ in 0..=sim.nodes.len() {
        match sim.node(cur).map(|n| n.upstream.as_ref().map(|u| u.port)) {
            None => return false,
            Some(None) => return true,
            Some(Some(next)) => cur = next,
        }
    }
    false
}

/// The first few keys that differ between two nodes.
fn diff(master: &Node, replica: &Node) -> String {
    let mut out = Vec::new();
    for (db, (m, r)) in master.keyspace.dbs.iter().zip(&replica.keyspace.dbs).enumerate() {
        let keys: std::collections::BTreeSet<&Vec<u8>> = m.entries.keys().chain(r.entries.keys()).collect();
        for k in keys {
            let (a, b) = (m.entries.get(k), r.entries.get(k));
            if a != b {
                out.push(format!("  db{db} {:?}: master {} replica {}", String::from_utf8_lossy(k), summary(a), summary(b)));
            }
        }
    }
    out.truncate(6);
    out.join("\n")
}

/// An entry in a few words: type, size, a prefix, expiry.
fn summary(e: Option<&replscope::engine::keyspace::Entry>) -> String {
    use replscope::engine::keyspace::Value;
    let Some(e) = e else { return "(none)".into() };
    let what = match &e.value {
        Value::Str(s) => format!("string {:?} ({} bytes)", String::from_utf8_lossy(&s[..s.len().min(16)]), s.len()),
        Value::List(l) => format!("list of {}", l.len()),
        Value::Hash(h) => format!("hash of {}", h.len()),
        Value::Set(m) => format!("set of {}", m.len()),
    };
    format!("{what}, expires {:?}", e.expire_at_ms)
}
