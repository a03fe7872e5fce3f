//! The virtual network: TCP-like connections between nodes that move opaque
//! bytes, with a latency and a bandwidth per link direction, a send window
//! (the kernel socket buffers), and link states for partitions.
//!
//! It knows nothing of Redis. The simulator asks it to open, write and close
//! connections and drains what is due with [`Net::poll_due`].

use std::collections::VecDeque;

use super::vecmap::VecMap;

/// A node's TCP port; nodes are addressed as `127.0.0.1:PORT`.
pub type Port = u16;

/// One end of a connection. The connecting end has an even id, the accepting
/// end the same id plus one, so each node names its own end.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId(pub u64);

impl ConnId {
    /// The other end of the same connection.
    pub fn peer(self) -> ConnId {
        ConnId(self.0 ^ 1)
    }
}

/// What travels on a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// A connection request (SYN) from the connecting end.
    Open,
    /// The accepting end took the connection (SYN-ACK).
    Accepted,
    /// Application bytes.
    Data(Vec<u8>),
    /// An orderly close or a reset from the sending end.
    Close,
}

/// A piece of traffic in flight, with the times the page animates it by.
#[derive(Clone, Debug)]
pub struct Segment {
    /// The end that will receive it.
    pub to_end: ConnId,
    /// Sending node.
    pub from: Port,
    /// Receiving node.
    pub to: Port,
    /// What it carries.
    pub payload: Payload,
    /// When its first bit left the sender (ms).
    pub sent_ms: u64,
    /// When it arrives (ms), unless its link is cut.
    pub deliver_ms: u64,
}

/// Latency and bandwidth of a link, the same in both directions.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct LinkParams {
    /// One-way delay in milliseconds.
    pub latency_ms: u64,
    /// Bytes per second each direction can carry.
    pub bandwidth: u64,
    /// Bytes a sender may have in flight per connection (socket buffers).
    pub window: usize,
}

impl Default for LinkParams {
    fn default() -> Self {
        LinkParams { latency_ms: 1, bandwidth: 100 * 1024 * 1024, window: 256 * 1024 }
    }
}

/// A link between two nodes.
#[derive(Clone, Debug, Default)]
pub struct Link {
    /// Timing of the link.
    pub params: LinkParams,
    /// A silent partition: nothing crosses until healed; nobody is told.
    /// Set and cleared by [`Net::cut`] and [`Net::heal`], which count them.
    cut: bool,
    /// Per direction (lower port first = 0), when the wire is next free (µs).
    busy_until_us: [u64; 2],
    /// Per direction, when the last segment sent arrives: a later segment
    /// never arrives before it (TCP is FIFO even when the latency drops).
    last_deliver_ms: [u64; 2],
}

#[derive(Clone, Debug)]
struct Conn {
    /// Connecting node and accepting node.
    client: Port,
    server: Port,
    /// Bytes written by each end (index 0 = client end) not yet delivered.
    in_flight: [usize; 2],
    /// An end that has closed sends nothing more and receives nothing more.
    closed: [bool; 2],
}

/// All links, connections and segments in flight.
#[derive(Clone, Debug, Default)]
pub struct Net {
    links: VecMap<(Port, Port), Link>,
    conns: VecMap<u64, Conn>,
    queue: Queue,
    held: Vec<(u64, Segment)>,
    next_conn: u64,
    seq: u64,
    /// How many links are cut.
    cuts: usize,
    /// Default parameters for links not configured explicitly.
    pub default_params: LinkParams,
}

/// Segments in flight, ordered by (delivery time, send sequence). A sorted
/// deque: almost every segment is due after those already queued, so
/// inserting touches the back, and delivery pops the front. (Smaller in the
/// wasm than a `BTreeMap` with its own B-tree code.)
#[derive(Clone, Debug, Default)]
struct Queue(VecDeque<((u64, u64), Segment)>);

impl Queue {
    fn insert(&mut self, key: (u64, u64), seg: Segment) {
        // The usual segment goes last: no search, no shifting.
        if let Some((last, _)) = self.0.back()
            && *last > key
        {
            let at = self.0.partition_point(|(k, _)| *k < key);
            self.0.insert(at, (key, seg));
            return;
        }
        self.0.push_back((key, seg));
    }

    fn remove(&mut self, key: (u64, u64)) -> Option<Segment> {
        let at = self.0.binary_search_by_key(&key, |(k, _)| *k).ok()?;
        self.0.remove(at).map(|(_, s)| s)
    }

    fn retain(&mut self, mut keep: impl FnMut(&Segment) -> bool) {
        self.0.retain(|(_, s)| keep(s));
    }
}

fn key(a: Port, b: Port) -> (Port, Port) {
    (a.min(b), a.max(b))
}

impl Link {
    /// True while the link is cut (a silent partition).
    pub fn is_cut(&self) -> bool {
        self.cut
    }
}

impl Net {
    /// The link between `a` and `b` (created on first use).
    pub fn link_mut(&mut self, a: Port, b: Port) -> &mut Link {
        let params = self.default_params;
        self.links.entry(key(a, b)).or_insert_with(|| Link { params, ..Link::default() })
    }

    /// The link between `a` and `b`, if it was ever used or configured.
    pub fn link(&self, a: Port, b: Port) -> Option<&Link> {
        self.links.get(&key(a, b))
    }

    /// Every link with its endpoints, in port order.
    pub fn links(&self) -> impl Iterator<Item = (&(Port, Port), &Link)> {
        self.links.iter()
    }

    /// Opens a connection from `from` to `to`; returns the connecting end.
    pub fn connect(&mut self, from: Port, to: Port, now: u64) -> ConnId {
        let id = self.next_conn;
        self.next_conn += 2;
        self.conns.insert(id, Conn { client: from, server: to, in_flight: [0, 0], closed: [false, false] });
        let end = ConnId(id);
        self.push(end, Payload::Open, 0, now);
        end
    }

    fn ends(&self, end: ConnId) -> Option<(Port, Port, usize)> {
        let c = self.conns.get(&(end.0 & !1))?;
        Some(if end.0 & 1 == 0 { (c.client, c.server, 0) } else { (c.server, c.client, 1) })
    }

    /// The node at the other end of `end`'s connection.
    pub fn peer_port(&self, end: ConnId) -> Option<Port> {
        self.ends(end).map(|(_, to, _)| to)
    }

    /// How many more bytes `end` may write before its socket buffers are full.
    pub fn writable(&self, end: ConnId) -> usize {
        // One look-up of the connection (asked on every write).
        let Some(c) = self.conns.get(&(end.0 & !1)) else { return 0 };
        let side = (end.0 & 1) as usize;
        if c.closed[side] {
            return 0;
        }
        let (from, to) = if side == 0 { (c.client, c.server) } else { (c.server, c.client) };
        let window = self.link(from, to).map_or(self.default_params.window, |l| l.params.window);
        window.saturating_sub(c.in_flight[side])
    }

    /// Bytes written by `end` that have not arrived yet.
    pub fn in_flight(&self, end: ConnId) -> usize {
        match (self.ends(end), self.conns.get(&(end.0 & !1))) {
            (Some((_, _, side)), Some(c)) => c.in_flight[side],
            _ => 0,
        }
    }

    /// Writes bytes on `end`. Ignored if the end is closed.
    pub fn send(&mut self, end: ConnId, bytes: Vec<u8>, now: u64) {
        if bytes.is_empty() {
            return;
        }
        // One look-up of the connection; its ends go on to `push_between`.
        let Some(conn) = self.conns.get_mut(&(end.0 & !1)) else { return };
        let side = (end.0 & 1) as usize;
        if conn.closed[side] {
            return;
        }
        conn.in_flight[side] += bytes.len();
        let (from, to) = if side == 0 { (conn.client, conn.server) } else { (conn.server, conn.client) };
        let len = bytes.len() as u64;
        self.push_between(end, from, to, Payload::Data(bytes), len, now);
    }

    /// Closes `end`: the peer learns of it after the bytes already sent.
    /// Closing a connection still being opened abandons it silently.
    pub fn close(&mut self, end: ConnId, now: u64) {
        let Some((_, _, side)) = self.ends(end) else { return };
        let id = end.0 & !1;
        let conn = self.conns.get_mut(&id).expect("conn exists");
        if conn.closed[side] {
            return;
        }
        conn.closed[side] = true;
        if conn.closed == [true, true] {
            self.forget(id);
            return;
        }
        self.push(end, Payload::Close, 0, now);
    }

    /// Resets every connection between `a` and `b` at once (CLIENT KILL on the
    /// accepting side): data in flight towards the accepting end is lost, data
    /// already sent from it still arrives, then the close.
    pub fn kill(&mut self, a: Port, b: Port, now: u64) -> Vec<ConnId> {
        let ids = self.conns.keys_where(&|c| key(c.client, c.server) == key(a, b));
        let mut killed = Vec::new();
        for id in ids {
            let server_end = ConnId(id | 1);
            self.drop_towards(server_end);
            if let Some(c) = self.conns.get_mut(&id) {
                c.closed[1] = true;
            }
            self.push(server_end, Payload::Close, 0, now);
            killed.push(server_end);
        }
        killed
    }

    fn drop_towards(&mut self, end: ConnId) {
        self.queue.retain(|s| s.to_end != end);
        self.held.retain(|(_, s)| s.to_end != end);
    }

    fn forget(&mut self, id: u64) {
        self.conns.remove(&id);
        self.queue.retain(|s| s.to_end.0 & !1 != id);
        self.held.retain(|(_, s)| s.to_end.0 & !1 != id);
    }

    /// Every connection touching `port` vanishes (the node stopped); the
    /// peers are sent a close. Returns the peers' ends.
    pub fn drop_node(&mut self, port: Port, now: u64) -> Vec<ConnId> {
        let ids = self.conns.keys_where(&|c| c.client == port || c.server == port);
        let mut peers = Vec::new();
        for id in ids {
            let c = &self.conns[&id];
            let mine = if c.client == port { ConnId(id) } else { ConnId(id | 1) };
            self.drop_towards(mine);
            self.close(mine, now);
            peers.push(mine.peer());
        }
        peers
    }

    /// Cuts the link between `a` and `b`: traffic is held, nobody is told.
    pub fn cut(&mut self, a: Port, b: Port) {
        let link = self.link_mut(a, b);
        if !link.cut {
            link.cut = true;
            self.cuts += 1;
        }
    }

    /// Heals the link: held traffic leaves again now, in order.
    pub fn heal(&mut self, a: Port, b: Port, now: u64) {
        let k = key(a, b);
        let link = self.link_mut(a, b);
        let was_cut = std::mem::replace(&mut link.cut, false);
        let latency = link.params.latency_ms;
        if was_cut {
            self.cuts -= 1;
        }
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held).into_iter().partition(|(_, s)| key(s.from, s.to) == k);
        self.held = rest;
        // Held segments leave one latency from now, and whatever was sent
        // after them on this link may not overtake them.
        let earliest = now + latency;
        let overtaking: Vec<(u64, u64)> =
            self.queue.0.iter().filter(|((t, _), s)| *t < earliest && key(s.from, s.to) == k).map(|(k, _)| *k).collect();
        let requeued = overtaking.into_iter().map(|(t, seq)| (seq, self.queue.remove((t, seq)).expect("queued")));
        let mine: Vec<(u64, Segment)> = mine.into_iter().chain(requeued.collect::<Vec<_>>()).collect();
        for (seq, mut s) in mine {
            s.deliver_ms = s.deliver_ms.max(earliest);
            self.queue.insert((s.deliver_ms, seq), s);
        }
        let link = self.link_mut(a, b);
        for last in &mut link.last_deliver_ms {
            *last = (*last).max(earliest);
        }
    }

    fn push(&mut self, from_end: ConnId, payload: Payload, len: u64, now: u64) {
        let (from, to, _) = self.ends(from_end).expect("conn exists");
        self.push_between(from_end, from, to, payload, len, now);
    }

    /// [`Net::push`] for a caller that knows the sending and receiving nodes.
    fn push_between(&mut self, from_end: ConnId, from: Port, to: Port, payload: Payload, len: u64, now: u64) {
        let link = self.link_mut(from, to);
        let dir = usize::from(from > to);
        let start_us = (now * 1000).max(link.busy_until_us[dir]);
        let tx_us = len * 1_000_000 / link.params.bandwidth.max(1);
        link.busy_until_us[dir] = start_us + tx_us;
        let deliver_ms = ((start_us + tx_us).div_ceil(1000) + link.params.latency_ms).max(link.last_deliver_ms[dir]);
        link.last_deliver_ms[dir] = deliver_ms;
        let seg = Segment { to_end: from_end.peer(), from, to, payload, sent_ms: start_us / 1000, deliver_ms };
        self.seq += 1;
        self.queue.insert((deliver_ms, self.seq), seg);
    }

    /// When the next segment arrives, if any can.
    pub fn next_delivery(&self) -> Option<u64> {
        self.queue.0.front().map(|((t, _), _)| *t)
    }

    /// Takes the next segment due at or before `now`; segments on cut links
    /// are set aside until the link heals.
    pub fn poll_due(&mut self, now: u64) -> Option<Segment> {
        loop {
            let &((t, seq), _) = self.queue.0.front()?;
            if t > now {
                return None;
            }
            let (_, seg) = self.queue.0.pop_front().expect("present");
            // Looked up only while some link is cut.
            if self.cuts > 0 && self.link(seg.from, seg.to).is_some_and(|l| l.cut) {
                self.held.push((seq, seg));
                continue;
            }
            let id = seg.to_end.0 & !1;
            if let Some(c) = self.conns.get_mut(&id) {
                let sender = usize::from(seg.to_end.0 & 1 == 0);
                if let Payload::Data(b) = &seg.payload {
                    c.in_flight[sender] -= b.len();
                }
                let receiver = 1 - sender;
                if c.closed[receiver] {
                    continue;
                }
                if seg.payload == Payload::Close {
                    c.closed[sender] = true;
                    c.closed[receiver] = true;
                    self.forget(id);
                }
            }
            return Some(seg);
        }
    }

    /// The accepting end took the connection: the connecting end is told
    /// one latency later.
    pub fn accept(&mut self, server_end: ConnId, now: u64) {
        if self.ends(server_end).is_some() {
            self.push(server_end, Payload::Accepted, 0, now);
        }
    }

    /// Refuses a connection attempt (nobody listens at the port): the
    /// connecting end is sent a reset.
    pub fn refuse(&mut self, server_end: ConnId, now: u64) {
        self.push(server_end, Payload::Close, 0, now);
        if let Some(c) = self.conns.get_mut(&(server_end.0 & !1)) {
            c.closed[1] = true;
        }
    }

    /// Segments in flight or held, for the page's animation.
    pub fn in_transit(&self) -> impl Iterator<Item = &Segment> {
        self.queue.0.iter().map(|(_, s)| s).chain(self.held.iter().map(|(_, s)| s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(net: &mut Net) -> ConnId {
        let c = net.connect(1, 2, 0);
        let syn = net.poll_due(10).expect("syn arrives");
        assert_eq!(syn.payload, Payload::Open);
        c
    }

    #[test]
    fn bytes_arrive_after_latency_in_order() {
        let mut net = Net::default();
        let c = open(&mut net);
        net.send(c, b"abc".to_vec(), 100);
        net.send(c, b"def".to_vec(), 100);
        assert!(net.poll_due(100).is_none());
        let a = net.poll_due(101).unwrap();
        let b = net.poll_due(101).unwrap();
        assert_eq!((a.payload, b.payload), (Payload::Data(b"abc".to_vec()), Payload::Data(b"def".to_vec())));
    }

    #[test]
    fn a_cut_link_holds_traffic_until_healed() {
        let mut net = Net::default();
        let c = open(&mut net);
        net.cut(1, 2);
        net.send(c, b"x".to_vec(), 100);
        assert!(net.poll_due(5000).is_none());
        assert_eq!(net.in_flight(c), 1);
        net.heal(1, 2, 6000);
        assert!(net.poll_due(6000).is_none());
        assert_eq!(net.poll_due(6001).unwrap().payload, Payload::Data(b"x".to_vec()));
    }

    #[test]
    fn bandwidth_spaces_out_big_writes() {
        let mut net = Net::default();
        net.link_mut(1, 2).params = LinkParams { latency_ms: 0, bandwidth: 1000, window: 1 << 20 };
        let c = open(&mut net);
        net.send(c, vec![0; 500], 0);
        net.send(c, vec![0; 500], 0);
        assert_eq!(net.poll_due(500).map(|s| s.deliver_ms), Some(500));
        assert!(net.poll_due(999).is_none());
        assert!(net.poll_due(1000).is_some());
    }

    #[test]
    fn kill_drops_bytes_towards_the_server_and_closes() {
        let mut net = Net::default();
        let c = open(&mut net);
        net.send(c, b"lost".to_vec(), 20);
        net.send(c.peer(), b"kept".to_vec(), 20);
        net.kill(1, 2, 20);
        assert_eq!(net.poll_due(30).unwrap().payload, Payload::Data(b"kept".to_vec()));
        let close = net.poll_due(30).unwrap();
        assert_eq!((close.payload, close.to_end), (Payload::Close, c));
        assert!(net.poll_due(100).is_none());
    }

    #[test]
    fn a_lower_latency_does_not_let_later_bytes_overtake_earlier_ones() {
        let mut net = Net::default();
        let c = open(&mut net);
        net.link_mut(1, 2).params.latency_ms = 100;
        net.send(c, b"first".to_vec(), 200);
        net.link_mut(1, 2).params.latency_ms = 1;
        net.send(c, b"second".to_vec(), 201);
        assert_eq!(net.poll_due(1000).unwrap().payload, Payload::Data(b"first".to_vec()));
        assert_eq!(net.poll_due(1000).unwrap().payload, Payload::Data(b"second".to_vec()));
    }

    #[test]
    fn after_a_heal_held_bytes_leave_before_bytes_sent_later() {
        let mut net = Net::default();
        let c = open(&mut net);
        net.link_mut(1, 2).params.latency_ms = 100;
        net.cut(1, 2);
        net.send(c, b"held".to_vec(), 200);
        assert!(net.poll_due(300).is_none(), "held while cut");
        net.send(c, b"later".to_vec(), 250);
        net.heal(1, 2, 320);
        assert_eq!(net.poll_due(1000).unwrap().payload, Payload::Data(b"held".to_vec()));
        assert_eq!(net.poll_due(1000).unwrap().payload, Payload::Data(b"later".to_vec()));
    }
}
