//! The simulator: nodes, the network between them, virtual time and the one
//! seeded RNG. It delivers traffic and timers in time order, and keeps each
//! stopped node's `dump.rdb` and command line so it can be restarted.

use super::clock::START_MS;
use super::config::Config;
use super::keyspace::Bytes;
use super::net::{ConnId, Net, Payload, Port, Segment};
use super::node::{ClientId, Node, Transport};
use super::resp::Reply;
use super::rng::Rng;
use super::vecmap::VecMap;

/// Why the simulator refused a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// No node runs at that port.
    NotRunning(Port),
    /// A node already runs at that port.
    AlreadyRunning(Port),
    /// The node's command line was rejected (redis-server's own message).
    BadConfig(String),
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::NotRunning(p) => write!(f, "Could not connect to Redis at 127.0.0.1:{p}: Connection refused"),
            SimError::AlreadyRunning(p) => write!(f, "a node already listens on port {p}"),
            SimError::BadConfig(m) => write!(f, "{m}"),
        }
    }
}

/// A write-load generator on one node: `SET key:N <value>` at a steady rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Load {
    /// Writes per second.
    pub rate: u64,
    /// Value size in bytes.
    pub value_size: usize,
    /// How many distinct keys it cycles through.
    pub keys: u64,
    /// Writes issued so far.
    pub issued: u64,
    /// When the load started (Unix ms).
    pub started_ms: u64,
}

/// A load sends its writes on this tick, pipelined, as `redis-benchmark -P`
/// does: at 1,000 writes a second that is ten SETs every 10 ms, in one read
/// and one event-loop turn on the master.
pub const LOAD_TICK_MS: u64 = 10;

impl Load {
    /// When write number `n` is sent: the first tick at or after its due time.
    #[inline(always)]
    fn due(&self, n: u64) -> u64 {
        let at = n * 1000 / self.rate.max(1);
        self.started_ms + at.div_ceil(LOAD_TICK_MS) * LOAD_TICK_MS
    }
}

/// The characters of load values: letters, digits, `-` and `_`.
const ALPHABET: &[u8; 64] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

/// Every pair of [`ALPHABET`] characters under its twelve bits (the first
/// character's six low, the second's six high), as the two bytes to store.
#[derive(Clone)]
struct Pairs(Box<[u16; 4096]>);

impl Pairs {
    fn new() -> Pairs {
        let mut table = Box::new([0u16; 4096]);
        for (bits, pair) in table.iter_mut().enumerate() {
            *pair = u16::from_le_bytes([ALPHABET[bits & 63], ALPHABET[bits >> 6]]);
        }
        Pairs(table)
    }
}

impl std::fmt::Debug for Pairs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pairs")
    }
}

/// A value that does not compress (so RDB sizes stay honest), the same for
/// the same write number, written over `out`: random letters, digits, `-`
/// and `_`, ten from each 64-bit draw, six bits each (shifts, no division).
/// The room is made once and the bytes written through a local pointer, two
/// characters at a time from `pairs`: with a push per byte, the size-built
/// wasm reloaded and stored the vector's length and pointer for every
/// character (a sixth of the fast-forward's instructions went here).
fn load_value_into(out: &mut Vec<u8>, n: u64, size: usize, pairs: &Pairs) {
    let pairs = &*pairs.0;
    let mut rng = Rng::new(n);
    out.clear();
    if out.capacity() < size {
        out.reserve(size);
    }
    let dst = out.as_mut_ptr();
    let mut i = 0;
    while i < size {
        let mut bits = rng.next_u64();
        let end = if size - i < 10 { size } else { i + 10 };
        // SAFETY (both blocks): `i + 1 < end <= size <= capacity` and
        // `i < end`; every byte up to `size` is written before `set_len`.
        while i + 1 < end {
            unsafe { dst.add(i).cast::<u16>().write_unaligned(pairs[(bits & 4095) as usize].to_le()) };
            bits >>= 12;
            i += 2;
        }
        if i < end {
            unsafe { dst.add(i).write(ALPHABET[(bits & 63) as usize]) };
            i += 1;
        }
    }
    // SAFETY: the first `size` bytes were written above.
    unsafe { out.set_len(size) };
}

/// The earlier of `next`, if there is one, and `t`.
#[inline(always)]
fn earliest(next: Option<u64>, t: u64) -> Option<u64> {
    Some(match next {
        Some(n) => n.min(t),
        None => t,
    })
}

/// The client id load generators write with.
pub const LOAD_CLIENT: ClientId = u32::MAX - 1;

/// A stopped node: what it needs to start again.
#[derive(Clone, Debug)]
struct Stopped {
    args: Vec<String>,
    disk: Option<Vec<u8>>,
}

/// The world: every node, the network, the clock.
#[derive(Debug)]
pub struct Sim {
    /// Virtual time, Unix ms.
    pub now: u64,
    /// The network.
    pub net: Net,
    /// Running nodes by port.
    pub nodes: VecMap<Port, Node>,
    /// Command lines of running nodes (for restarts).
    args: VecMap<Port, Vec<String>>,
    stopped: VecMap<Port, Stopped>,
    rng: Rng,
    refused: VecMap<ConnId, ()>,
    deferred: VecMap<Port, Vec<Segment>>,
    replies: VecMap<(Port, ClientId), Reply>,
    /// Every segment delivered, for observers (the page drains it).
    pub delivered: Vec<Segment>,
    /// Whether delivered segments are recorded.
    pub record: bool,
    /// Write loads by node.
    pub loads: VecMap<Port, Load>,
    /// The load generators' argv, rewritten for each write.
    load_argv: Vec<Bytes>,
    /// The load values' character pairs, made for the first write.
    load_pairs: Option<Pairs>,
}

/// A node's view of the network through the simulator.
struct Io<'a> {
    net: &'a mut Net,
    me: Port,
    now: u64,
}

impl Transport for Io<'_> {
    fn connect(&mut self, to: Port) -> ConnId {
        self.net.connect(self.me, to, self.now)
    }
    fn send(&mut self, conn: ConnId, bytes: Vec<u8>) {
        self.net.send(conn, bytes, self.now);
    }
    fn close(&mut self, conn: ConnId) {
        self.net.close(conn, self.now);
    }
    fn writable(&self, conn: ConnId) -> usize {
        self.net.writable(conn)
    }
}

/// Longest a scripted command may stay blocked (virtual time).
pub const MAX_BLOCK_MS: u64 = 3_600_000;

impl Sim {
    /// An empty world at [`START_MS`] whose randomness is decided by `seed`.
    pub fn new(seed: u64) -> Sim {
        Sim {
            now: START_MS,
            net: Net::default(),
            nodes: VecMap::new(),
            args: VecMap::new(),
            stopped: VecMap::new(),
            rng: Rng::new(seed),
            refused: VecMap::new(),
            deferred: VecMap::new(),
            replies: VecMap::new(),
            delivered: Vec::new(),
            record: false,
            loads: VecMap::new(),
            load_argv: Vec::new(),
            load_pairs: None,
        }
    }

    /// Starts `redis-server --port PORT ARGS...`, with the `dump.rdb` a
    /// previous run at this port left, if any.
    pub fn start_node(&mut self, port: Port, args: &[String]) -> Result<(), SimError> {
        if self.nodes.contains_key(&port) {
            return Err(SimError::AlreadyRunning(port));
        }
        let mut config = Config::from_args(args).map_err(SimError::BadConfig)?;
        config.port = port;
        let disk = self.stopped.remove(&port).and_then(|s| s.disk);
        let seed = self.rng.next_u64();
        let node = Node::start(port, config, disk, seed, self.now);
        self.nodes.insert(port, node);
        self.args.insert(port, args.to_vec());
        Ok(())
    }

    /// Stops a node at once (the process is gone; peers see their
    /// connections close). Its `dump.rdb` stays for a restart.
    pub fn stop_node(&mut self, port: Port) -> Result<(), SimError> {
        let node = self.nodes.remove(&port).ok_or(SimError::NotRunning(port))?;
        self.net.drop_node(port, self.now);
        let args = self.args.remove(&port).unwrap_or_default();
        self.stopped.insert(port, Stopped { args, disk: node.disk });
        self.deferred.remove(&port);
        Ok(())
    }

    /// `SHUTDOWN SAVE|NOSAVE`, then start again with the same options.
    /// With `wipe`, the node's `dump.rdb` is deleted before the start (a
    /// fresh data directory).
    pub fn restart(&mut self, port: Port, save: bool, wipe: bool) -> Result<(), SimError> {
        let word = if save { "SAVE" } else { "NOSAVE" };
        self.command_blocking(port, 0, vec![b"SHUTDOWN".to_vec(), word.as_bytes().to_vec()])?;
        if self.nodes.contains_key(&port) {
            self.stop_node(port)?;
        }
        if wipe
            && let Some(s) = self.stopped.get_mut(&port) {
            s.disk = None;
        }
        let args = self.stopped.get(&port).map(|s| s.args.clone()).unwrap_or_default();
        self.start_node(port, &args)
    }

    /// Ports of running nodes.
    pub fn ports(&self) -> Vec<Port> {
        self.nodes.keys().copied().collect()
    }

    /// A running node.
    pub fn node(&self, port: Port) -> Option<&Node> {
        self.nodes.get(&port)
    }

    /// Whether a node was stopped (and can be started again).
    pub fn is_stopped(&self, port: Port) -> bool {
        self.stopped.contains_key(&port)
    }

    /// The command line a node was started with (running or stopped).
    pub fn node_args(&self, port: Port) -> Option<&[String]> {
        self.args.get(&port).or_else(|| self.stopped.get(&port).map(|s| &s.args)).map(|v| v.as_slice())
    }

    /// Sends a command from local client `client` of node `port`. `Ok(None)`
    /// means the client is blocked (WAIT, DEBUG SLEEP, SHUTDOWN waiting).
    pub fn command(&mut self, port: Port, client: ClientId, argv: Vec<Bytes>) -> Result<Option<Reply>, SimError> {
        let now = self.now;
        let node = self.nodes.get_mut(&port).ok_or(SimError::NotRunning(port))?;
        let mut io = Io { net: &mut self.net, me: port, now };
        let reply = node.command(client, argv, now, &mut io);
        node.before_sleep(now, &mut io);
        self.collect(port);
        Ok(reply)
    }

    /// Sends a command and runs the world until its reply is ready, as
    /// redis-cli waits (at most [`MAX_BLOCK_MS`]). A node busy in DEBUG SLEEP
    /// is waited for first. `Ok(None)`: still blocked, or the node exited.
    pub fn command_blocking(&mut self, port: Port, client: ClientId, argv: Vec<Bytes>) -> Result<Option<Reply>, SimError> {
        if let Some(busy) = self.nodes.get(&port).map(|n| n.busy_until_ms).filter(|&b| b > self.now) {
            self.run_until(busy);
        }
        if let Some(r) = self.command(port, client, argv)? {
            return Ok(Some(r));
        }
        let deadline = self.now + MAX_BLOCK_MS;
        while self.now < deadline && self.nodes.contains_key(&port) {
            if let Some(r) = self.take_reply(port, client) {
                return Ok(Some(r));
            }
            let next = self.next_event().unwrap_or(deadline).min(deadline);
            self.run_until(next.max(self.now));
            if next >= deadline {
                break;
            }
        }
        Ok(self.take_reply(port, client))
    }

    /// A reply that became ready for a blocked client.
    pub fn take_reply(&mut self, port: Port, client: ClientId) -> Option<Reply> {
        self.replies.remove(&(port, client))
    }

    /// Takes the replies a node finished for blocked clients, and stops it
    /// if it exited. Returns whether it stopped.
    fn collect(&mut self, port: Port) -> bool {
        let Some(node) = self.nodes.get_mut(&port) else { return false };
        if !node.has_results() {
            return false;
        }
        for (cid, reply) in node.ready_replies.drain(..) {
            self.replies.insert((port, cid), reply);
        }
        node.exited.is_some() && self.stop_node(port).is_ok()
    }

    /// Cuts the link between two nodes (silent partition).
    pub fn cut(&mut self, a: Port, b: Port) {
        self.net.cut(a, b);
    }

    /// Heals a cut link: held traffic flows again.
    pub fn heal(&mut self, a: Port, b: Port) {
        self.net.heal(a, b, self.now);
    }

    /// Resets the connections between two nodes now, as `CLIENT KILL` on
    /// the accepting side does.
    pub fn kill(&mut self, a: Port, b: Port) {
        let now = self.now;
        for server_end in self.net.kill(a, b, now) {
            let owner = if self.nodes.get(&a).is_some_and(|n| n.clients.contains_key(&server_end)) { a } else { b };
            if let Some(node) = self.nodes.get_mut(&owner) {
                let mut io = Io { net: &mut self.net, me: owner, now };
                node.drop_connection(server_end, now, &mut io);
                node.before_sleep(now, &mut io);
            }
        }
    }

    /// Starts (or changes, or with rate 0 stops) a write load on a node.
    pub fn set_load(&mut self, port: Port, rate: u64, value_size: usize) {
        if rate == 0 {
            self.loads.remove(&port);
        } else {
            let keys = 10_000;
            self.loads.insert(port, Load { rate, value_size, keys, issued: 0, started_ms: self.now });
        }
    }

    fn run_loads(&mut self) {
        let now = self.now;
        // By position, nothing collected (this runs every instant): writing
        // never starts or stops a load.
        let mut i = 0;
        while let Some(&port) = self.loads.key_at(i) {
            i += 1;
            let Some(load) = self.loads.get_mut(&port) else { continue };
            let mut node = self.nodes.get_mut(&port);
            // The load's client is taken out of the node once for the batch.
            let mut client = None;
            while load.due(load.issued) <= now {
                // One argv, rewritten for each write: no allocation per write.
                let argv = &mut self.load_argv;
                if argv.len() != 3 {
                    argv.resize(3, Vec::new());
                }
                super::sds::cpy(&mut argv[0], b"SET");
                super::sds::cpy(&mut argv[1], b"key:");
                super::resp::push_u64(&mut argv[1], load.issued % load.keys);
                let pairs = self.load_pairs.get_or_insert_with(Pairs::new);
                load_value_into(&mut argv[2], load.issued, load.value_size, pairs);
                load.issued += 1;
                // The node's beforeSleep runs once for the whole batch, later in this instant.
                if let Some(node) = node.as_deref_mut().filter(|n| !n.busy(now)) {
                    let mut io = Io { net: &mut self.net, me: port, now };
                    let c = client.get_or_insert_with(|| node.take_local(LOAD_CLIENT, now));
                    if node.load_set(c, argv, now) {
                        continue;
                    }
                    // The reply is not read. The usual one (+OK, a static
                    // text) owns nothing: forgotten, not dropped (in wasm
                    // its drop glue is calls, on every write).
                    match node.command_as(c, argv, now, &mut io) {
                        r @ (Some(Reply::Status(std::borrow::Cow::Borrowed(_))) | None) => std::mem::forget(r),
                        other => drop(other),
                    }
                }
            }
            if let (Some(node), Some(c)) = (node, client) {
                node.put_local(LOAD_CLIENT, c);
            }
        }
    }

    /// When something next happens on its own.
    pub fn next_event(&self) -> Option<u64> {
        // Plain loops: this runs before every instant, and in the
        // size-built wasm iterator adapters and closures are calls.
        let mut next = self.net.next_delivery();
        let mut i = 0;
        while let Some((_, node)) = self.nodes.at(i) {
            i += 1;
            next = earliest(next, node.next_wakeup());
        }
        i = 0;
        while let Some((_, load)) = self.loads.at(i) {
            i += 1;
            next = earliest(next, load.due(load.issued));
        }
        next
    }

    /// Advances virtual time by `ms`, handling everything due on the way.
    pub fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        self.run_until(end);
    }

    /// Runs every event up to and including `end`, then sets the clock to it.
    pub fn run_until(&mut self, end: u64) {
        while let Some(t) = self.next_event() {
            if t > end {
                break;
            }
            self.now = self.now.max(t);
            self.step_instant();
        }
        self.now = self.now.max(end);
    }

    /// Runs to the next event and handles everything due then. Returns the
    /// new time, or `None` if nothing will ever happen.
    pub fn step(&mut self) -> Option<u64> {
        let t = self.next_event()?;
        self.now = self.now.max(t);
        self.step_instant();
        Some(self.now)
    }

    fn step_instant(&mut self) {
        self.run_loads();
        let now = self.now;
        while let Some(seg) = self.net.poll_due(now) {
            self.deliver(seg);
        }
        // Handling a node's events never starts or stops a node.
        let mut to_collect = false;
        for (&port, node) in self.nodes.iter_mut() {
            if !node.busy(now) {
                let mut io = Io { net: &mut self.net, me: port, now };
                if node.next_wakeup() <= now {
                    node.handle_timeout(now, &mut io);
                }
                // Guarded: segments wait here only for a node in DEBUG SLEEP.
                if !self.deferred.is_empty()
                    && let Some(segs) = self.deferred.remove(&port)
                {
                    for seg in segs {
                        Self::hand_to_node(node, &seg, &mut io, &mut self.refused);
                    }
                }
                node.before_sleep(now, &mut io);
            }
            to_collect |= node.has_results();
        }
        // In port order; a node that exited leaves the map, and the next
        // one takes its place. (Usually no node has replies or has exited.)
        let mut i = 0;
        while to_collect && let Some(&port) = self.nodes.key_at(i) {
            if !self.collect(port) {
                i += 1;
            }
        }
    }

    fn deliver(&mut self, seg: Segment) {
        let now = self.now;
        if self.record {
            self.delivered.push(seg.clone());
        }
        let Some(node) = self.nodes.get_mut(&seg.to) else {
            if seg.payload == Payload::Open {
                self.net.refuse(seg.to_end, now);
                self.refused.insert(seg.to_end.peer(), ());
            }
            return;
        };
        if node.busy(now) {
            self.deferred.entry(seg.to).or_default().push(seg);
            return;
        }
        let mut io = Io { net: &mut self.net, me: seg.to, now };
        Self::hand_to_node(node, &seg, &mut io, &mut self.refused);
    }

    fn hand_to_node(node: &mut Node, seg: &Segment, io: &mut Io<'_>, refused: &mut VecMap<ConnId, ()>) {
        let now = io.now;
        match &seg.payload {
            Payload::Open => {
                node.accept(seg.to_end, now);
                io.net.accept(seg.to_end, now);
            }
            Payload::Accepted => node.handle_connected(seg.to_end, now, io),
            Payload::Data(bytes) => node.handle_data(seg.to_end, bytes, now, io),
            Payload::Close if refused.remove(&seg.to_end).is_some() => node.handle_refused(seg.to_end, now),
            Payload::Close => node.handle_closed(seg.to_end, now, io),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values as first written, a character at a time.
    fn reference_value(n: u64, size: usize) -> Vec<u8> {
        let mut rng = Rng::new(n);
        let (mut out, mut bits, mut left) = (Vec::new(), 0, 0);
        for _ in 0..size {
            if left == 0 {
                (bits, left) = (rng.next_u64(), 10);
            }
            left -= 1;
            out.push(ALPHABET[(bits & 63) as usize]);
            bits >>= 6;
        }
        out
    }

    #[test]
    fn load_values_are_the_reference_ones_whatever_the_buffer_held() {
        let mut buf = b"left over from a longer value, longer than any below".to_vec();
        let pairs = Pairs::new();
        for size in [0, 1, 9, 10, 11, 20, 32, 33, 100] {
            for n in [0, 1, 7, 12_345, u64::MAX] {
                load_value_into(&mut buf, n, size, &pairs);
                assert_eq!(buf, reference_value(n, size), "write {n}, {size} bytes");
            }
        }
    }
}
