//! The command table (`redisCommandTable`), Redis's error texts, and the
//! execution of the data commands with exactly the propagation Redis 7.0
//! feeds to its replicas (`call()` + `alsoPropagate`).

mod float;
mod hashes;
mod keys;
mod lists;
mod sets;
mod strings;

pub use float::{format_long_double, parse_f64, parse_long_double, LongDouble};
pub use keys::glob_match;
pub use sets::{set_reply_order, SET_MAX_INTSET_ENTRIES};
pub(crate) use strings::{set_key_at, set_key_from_master};

use crate::engine::keyspace::{Bytes, Entry, Keyspace};
use crate::engine::resp::{parse_i64, Reply};

/// One row of the command table: name, arity and the flags that matter here.
#[derive(Clone, Copy, Debug)]
pub struct CommandSpec {
    /// Lowercase command name, as `c->cmd->fullname` prints it.
    pub name: &'static str,
    /// Redis arity: positive = exact argc, negative = at least `-arity` (argv[0] included).
    pub arity: i32,
    /// `CMD_WRITE`: may modify the dataset (refused on read-only replicas).
    pub write: bool,
    /// `CMD_READONLY`: only reads data.
    pub readonly: bool,
    /// `CMD_DENYOOM`: may grow memory (refused when over maxmemory).
    pub denyoom: bool,
    /// `CMD_ADMIN`: administrative command.
    pub admin: bool,
    /// `CMD_FAST`: O(1) or O(log N).
    pub fast: bool,
    /// `CMD_STALE`: allowed on a replica with a down link and serve-stale-data off.
    pub stale: bool,
    /// `CMD_LOADING`: allowed while the dataset is loading.
    pub loading: bool,
    /// `CMD_NO_MULTI`: refused inside MULTI.
    pub no_multi: bool,
    /// A container command with subcommands (CONFIG GET, CLIENT LIST, COMMAND COUNT...).
    pub container: bool,
    /// `CMD_NO_AUTH`: allowed before the client has authenticated (AUTH).
    pub no_auth: bool,
    /// MULTI, EXEC, DISCARD: run at once inside a transaction, never queued.
    pub txn_control: bool,
    /// The implementation of a data command (`redisCommandProc`), run by
    /// [`execute`]; `None` for the commands the node implements itself.
    pub run: Option<CommandProc>,
}

/// A data command's implementation: replies, and pushes onto
/// `ctx.propagate` what it feeds to the replication stream.
pub type CommandProc = fn(&mut Ctx, &[Bytes]) -> Reply;

const W: u32 = 1;
const R: u32 = 2;
const M: u32 = 4;
const A: u32 = 8;
const F: u32 = 16;
const S: u32 = 32;
const L: u32 = 64;
const X: u32 = 128;
const C: u32 = 256;
const N: u32 = 512;
const T: u32 = 1024;

/// A row for a command the node implements itself.
const fn spec(name: &'static str, arity: i32, f: u32) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        write: f & W != 0,
        readonly: f & R != 0,
        denyoom: f & M != 0,
        admin: f & A != 0,
        fast: f & F != 0,
        stale: f & S != 0,
        loading: f & L != 0,
        no_multi: f & X != 0,
        container: f & C != 0,
        no_auth: f & N != 0,
        txn_control: f & T != 0,
        run: None,
    }
}

/// A row for a data command, run by `run`.
const fn data(name: &'static str, arity: i32, f: u32, run: CommandProc) -> CommandSpec {
    CommandSpec { run: Some(run), ..spec(name, arity, f) }
}

/// Every command the simulator knows, with Redis 7.0.15 arities and flags.
pub static COMMANDS: &[CommandSpec] = &[
    spec("ping", -1, F),
    spec("echo", 2, L | S | F),
    spec("auth", -2, L | S | F | N),
    spec("select", 2, L | S | F),
    data("set", -3, W | M, strings::set),
    data("get", 2, R | F, strings::get),
    data("getset", 3, W | M | F, strings::getset),
    data("getdel", 2, W | F, strings::getdel),
    data("mset", -3, W | M, strings::mset),
    data("mget", -2, R | F, strings::mget),
    data("del", -2, W, keys::del),
    data("exists", -2, R | F, keys::exists),
    data("type", 2, R | F, keys::type_cmd),
    data("keys", 2, R, keys::keys),
    data("dbsize", 1, R | F, keys::dbsize),
    data("flushdb", -1, W, |c, a| keys::flush(c, a, false)),
    data("flushall", -1, W, |c, a| keys::flush(c, a, true)),
    data("incr", 2, W | M | F, |c, a| strings::incr_decr(c, a, 1)),
    data("decr", 2, W | M | F, |c, a| strings::incr_decr(c, a, -1)),
    data("incrby", 3, W | M | F, strings::incrby),
    data("decrby", 3, W | M | F, strings::decrby),
    data("incrbyfloat", 3, W | M | F, strings::incrbyfloat),
    data("append", 3, W | M | F, strings::append),
    data("strlen", 2, R | F, strings::strlen),
    data("expire", -3, W | F, |c, a| keys::expire(c, a, true, 1000)),
    data("pexpire", -3, W | F, |c, a| keys::expire(c, a, true, 1)),
    data("expireat", -3, W | F, |c, a| keys::expire(c, a, false, 1000)),
    data("pexpireat", -3, W | F, |c, a| keys::expire(c, a, false, 1)),
    data("ttl", 2, R | F, |c, a| keys::ttl(c, a, false)),
    data("pttl", 2, R | F, |c, a| keys::ttl(c, a, true)),
    data("persist", 2, W | F, keys::persist),
    data("lpush", -3, W | M | F, |c, a| lists::push(c, a, true)),
    data("rpush", -3, W | M | F, |c, a| lists::push(c, a, false)),
    data("lpop", -2, W | F, |c, a| lists::pop(c, a, true)),
    data("rpop", -2, W | F, |c, a| lists::pop(c, a, false)),
    data("lrange", 4, R, lists::lrange),
    data("llen", 2, R | F, lists::llen),
    data("hset", -4, W | M | F, hashes::hset),
    data("hget", 3, R | F, hashes::hget),
    data("hdel", -3, W | F, hashes::hdel),
    data("hgetall", 2, R, hashes::hgetall),
    data("hlen", 2, R | F, hashes::hlen),
    data("sadd", -3, W | M | F, sets::sadd),
    data("srem", -3, W | F, sets::srem),
    data("smembers", 2, R, sets::smembers),
    data("scard", 2, R | F, sets::scard),
    data("sismember", 3, R | F, sets::sismember),
    spec("info", -1, L | S),
    spec("role", 1, L | S | F),
    spec("replicaof", 3, A | S),
    spec("slaveof", 3, A | S),
    spec("config", -2, C),
    spec("wait", 3, 0),
    spec("debug", -2, A | L | S),
    spec("shutdown", -1, A | L | S | X),
    spec("save", 1, A | X),
    spec("bgsave", -1, A),
    spec("psync", -3, A | X),
    spec("sync", 1, A | X),
    spec("replconf", -1, A | L | S),
    spec("multi", 1, L | S | F | T),
    spec("exec", 1, L | S | T),
    spec("discard", 1, L | S | F | T),
    spec("client", -2, C),
    spec("command", -1, L | S | C),
    spec("lastsave", 1, L | S | F),
    spec("time", 1, L | S | F),
];

impl CommandSpec {
    /// A data command, executed by [`execute`]; false for the commands the
    /// node implements itself.
    pub fn data(&self) -> bool {
        self.run.is_some()
    }
}

/// [`lookup`] for a client that remembers its last command
/// (`Client::last_cmd`): a stream of one command skips the table.
#[inline(always)]
pub fn lookup_after(last: Option<&'static CommandSpec>, name: &[u8]) -> Option<&'static CommandSpec> {
    // A match, not `filter`/`or_else`: in wasm at opt-level "z" each closure is a call.
    match last {
        Some(spec) if names(spec, name) => Some(spec),
        _ => lookup(name),
    }
}

/// `lookupCommand`: find a command by name, case-insensitively.
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    // A scan of 67 rows, most rejected on length: a node asks only when a
    // client's command differs from its last one (`Client::last_cmd`).
    COMMANDS.iter().find(|c| names(c, name))
}

/// Does `name`, as a client sent it, name `spec`? Case-insensitive:
/// table names are lowercase letters only, so setting each sent byte's 0x20
/// bit matches exactly the letters of either case.
#[inline(always)]
pub fn names(spec: &CommandSpec, name: &[u8]) -> bool {
    let own = spec.name.as_bytes();
    if own.len() != name.len() {
        return false;
    }
    // A plain loop: in wasm at opt-level "z" iterator adaptors are calls.
    for i in 0..own.len() {
        if name[i] | 0x20 != own[i] {
            return false;
        }
    }
    true
}

/// `commandCheckArity`: does `argc` (argv[0] included) fit the spec's arity?
#[inline(always)]
pub fn check_arity(spec: &CommandSpec, argc: usize) -> bool {
    let argc = argc as i64;
    let arity = spec.arity as i64;
    !((arity > 0 && arity != argc) || argc < -arity)
}

/// `WRONGTYPE` error for an operation on a key of another type.
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
/// `getLongLongFromObjectOrReply` failure.
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
/// `shared.syntaxerr`.
pub const SYNTAX_ERROR: &str = "ERR syntax error";
/// `getLongDoubleFromObjectOrReply` failure.
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
/// INCR/INCRBY/DECR overflow.
pub const INCR_OVERFLOW: &str = "ERR increment or decrement would overflow";
/// `DECRBY key -9223372036854775808`.
pub const DECR_OVERFLOW: &str = "ERR decrement would overflow";
/// INCRBYFLOAT producing NaN or an infinity.
pub const NAN_OR_INFINITY: &str = "ERR increment would produce NaN or Infinity";
/// `getLongFromObjectOrReply` range failure.
pub const OUT_OF_RANGE: &str = "ERR value is out of range";
/// `getPositiveLongFromObjectOrReply` failure (LPOP/RPOP count).
pub const OUT_OF_RANGE_POSITIVE: &str = "ERR value is out of range, must be positive";
/// SELECT with a bad index.
pub const DB_INDEX_OUT_OF_RANGE: &str = "ERR DB index is out of range";
/// `checkStringLength` failure (APPEND past proto-max-bulk-len).
pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
/// `addReplyErrorExpireTime` for SET (see [`expire_time_error`]).
pub const SET_EXPIRE_TIME_ERROR: &str = "ERR invalid expire time in 'set' command";

/// `addReplyErrorExpireTime`: `ERR invalid expire time in '<cmd>' command`.
pub fn expire_time_error(name: &str) -> String {
    format!("ERR invalid expire time in '{}' command", name.to_ascii_lowercase())
}

/// `addReplyErrorArity`: `ERR wrong number of arguments for '<fullname>' command`
/// (the lowercase table name; `config|get` for subcommands).
pub fn arity_error(name: &str) -> String {
    format!("ERR wrong number of arguments for '{}' command", name.to_ascii_lowercase())
}

/// A C `%.Ns` of binary bytes: stop at NUL, at most `max` bytes.
fn c_str(b: &[u8], max: usize) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len()).min(max);
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// `processCommand`'s unknown-command error: `ERR unknown command 'foo', with
/// args beginning with: 'a' 'b' ` (name cut to 128 bytes, arguments appended
/// while the list is under 128 bytes, CR/LF turned into spaces).
pub fn unknown_command_error(argv: &[Bytes]) -> String {
    let name = argv.first().map(|n| c_str(n, 128)).unwrap_or_default();
    let mut args: Vec<u8> = Vec::new();
    for a in argv.iter().skip(1) {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        let end = a.iter().position(|&c| c == 0).unwrap_or(a.len()).min(room);
        args.push(b'\'');
        args.extend_from_slice(&a[..end]);
        args.extend_from_slice(b"' ");
    }
    let msg = format!(
        "ERR unknown command '{}', with args beginning with: {}",
        name,
        String::from_utf8_lossy(&args)
    );
    msg.replace(['\r', '\n'], " ")
}

/// Unknown subcommand of a container command: `ERR unknown subcommand 'x'. Try CONFIG HELP.`
pub fn unknown_subcommand_error(argv: &[Bytes]) -> String {
    let cmd = argv.first().map(|n| c_str(n, usize::MAX)).unwrap_or_default().to_ascii_uppercase();
    let sub = argv.get(1).map(|s| c_str(s, 128)).unwrap_or_default();
    format!("ERR unknown subcommand '{}'. Try {} HELP.", sub, cmd).replace(['\r', '\n'], " ")
}

/// How expiry behaves on this node for this client (`expireIfNeeded` in db.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpireMode {
    /// A master: expired keys are deleted on access and a `DEL` is propagated.
    Master,
    /// A normal client of a replica: expired keys are never deleted, but reads treat them as missing.
    ReplicaClient,
    /// The replica applying its master's stream: keys live until the master's `DEL` arrives.
    ReplicaMasterLink,
}

/// One command to feed to the replication stream, in the database it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    /// Database the command runs in (a `SELECT` goes before it when it differs from `slaveseldb`).
    pub db: usize,
    /// The command as propagated (possibly rewritten); empty while it is
    /// the command exactly as typed (see [`Ctx::prop_as_typed`]).
    pub argv: Vec<Bytes>,
}

impl Op {
    /// The arguments to propagate: the op's own, or `typed` (the command as
    /// the client sent it) for an op propagated as typed.
    #[inline(always)]
    pub fn args<'a>(&'a self, typed: &'a [Bytes]) -> &'a [Bytes] {
        if self.argv.is_empty() { typed } else { &self.argv }
    }

    /// This op with its arguments filled in from `typed` if it had none.
    pub fn as_typed_by(mut self, typed: &[Bytes]) -> Op {
        if self.argv.is_empty() {
            self.argv = typed.to_vec();
        }
        self
    }
}

/// Everything a data command runs against (the parts of `client`/`server` it needs).
pub struct Ctx<'a> {
    /// Current time in Unix milliseconds (`mstime()`, fixed for the whole command).
    pub now_ms: u64,
    /// The client's selected database.
    pub db: usize,
    /// The node's data.
    pub keyspace: &'a mut Keyspace,
    /// Expiry behaviour for this node and client.
    pub expire: ExpireMode,
    /// Ops propagated so far, in order (the node wraps more than one in MULTI/EXEC).
    pub propagate: Vec<Op>,
}

impl<'a> Ctx<'a> {
    /// A context with nothing propagated yet.
    pub fn new(keyspace: &'a mut Keyspace, db: usize, now_ms: u64, expire: ExpireMode) -> Ctx<'a> {
        Ctx { now_ms, db, keyspace, expire, propagate: Vec::new() }
    }

    #[inline(always)]
    pub(crate) fn read(&mut self, key: &[u8]) -> Option<&Entry> {
        self.keyspace.lookup_read(self.db, key, self.now_ms, self.expire, &mut self.propagate)
    }

    #[inline(always)]
    pub(crate) fn write(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.keyspace.lookup_write(self.db, key, self.now_ms, self.expire, &mut self.propagate)
    }

    pub(crate) fn exists_for_write(&mut self, key: &[u8]) -> bool {
        self.write(key).is_some()
    }

    pub(crate) fn insert(&mut self, key: &[u8], entry: Entry) {
        self.keyspace.dbs[self.db].entries.insert(key.to_vec(), entry);
    }

    pub(crate) fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        self.keyspace.dbs[self.db].entries.remove(key)
    }

    pub(crate) fn prop(&mut self, argv: Vec<Bytes>) {
        self.propagate.push(Op { db: self.db, argv });
    }

    /// Propagates the command exactly as the client typed it. The op's
    /// argv stays empty and stands for the typed arguments ([`Op::args`]),
    /// so nothing is copied.
    pub(crate) fn prop_as_typed(&mut self) {
        crate::engine::sds::push_item(&mut self.propagate, Op {
            db: self.db,
            argv: Vec::new(),
        });
    }

    /// Whether `checkAlreadyExpired` may turn a past TTL into a DEL (masters only).
    pub(crate) fn is_master(&self) -> bool {
        self.expire == ExpireMode::Master
    }

    pub(crate) fn now_i64(&self) -> i64 {
        self.now_ms.min(i64::MAX as u64) as i64
    }
}

pub(crate) fn err(s: &str) -> Reply {
    Reply::Error(s.to_string())
}

pub(crate) fn int_arg(a: &[u8]) -> Result<i64, Reply> {
    parse_i64(a).ok_or_else(|| err(NOT_INTEGER))
}

/// Run one data command (`call()` for the commands in this module). `argv[0]`
/// is the name as typed; the caller has checked the arity. Replies exactly as
/// Redis 7.0 would and pushes onto `ctx.propagate` what Redis would feed to
/// replicas. A name that is not a data command gets the unknown-command error.
pub fn execute(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    execute_owned(ctx, argv.to_vec())
}

/// [`execute`] for a caller that gives up `argv`: a command propagated as
/// typed takes it over instead of a copy.
pub fn execute_owned(ctx: &mut Ctx, argv: Vec<Bytes>) -> Reply {
    let spec = match argv.first().and_then(|n| lookup(n)) {
        Some(s) if s.data() => s,
        _ => return Reply::error(unknown_command_error(&argv)),
    };
    if !check_arity(spec, argv.len()) {
        return Reply::Error(arity_error(spec.name));
    }
    let reply = execute_checked(ctx, spec, &argv);
    let mut typed = ctx.propagate.iter_mut().filter(|op| op.argv.is_empty());
    if let Some(first) = typed.next() {
        for op in typed {
            op.argv = argv.clone();
        }
        first.argv = argv;
    }
    reply
}

/// Runs a command the caller has already looked up (`spec`) and checked the
/// arity of, as `processCommand` does before `call`. Ops propagated as typed
/// are left with an empty `argv`: see [`Op::args`].
#[inline(always)]
pub fn execute_checked(ctx: &mut Ctx, spec: &'static CommandSpec, argv: &[Bytes]) -> Reply {
    match spec.run {
        Some(run) => run(ctx, argv),
        None => Reply::error(unknown_command_error(argv)),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use crate::engine::resp::encoded_len;

    pub const NOW: u64 = 1_700_000_000_000;

    pub fn argv(line: &str) -> Vec<Bytes> {
        crate::engine::resp::split_args(line).unwrap()
    }

    /// Run `line` on `ks` as a master client in db 0 at `now`.
    pub fn run_at(ks: &mut Keyspace, now: u64, mode: ExpireMode, line: &str) -> (Reply, Vec<Op>) {
        let mut ctx = Ctx::new(ks, 0, now, mode);
        let r = execute(&mut ctx, &argv(line));
        (r, ctx.propagate)
    }

    pub fn run(ks: &mut Keyspace, line: &str) -> (Reply, Vec<Op>) {
        run_at(ks, NOW, ExpireMode::Master, line)
    }

    pub fn ok(ks: &mut Keyspace, line: &str) -> Reply {
        run(ks, line).0
    }

    /// An array reply of bulk strings.
    pub fn arr(v: &[&str]) -> Reply {
        Reply::Array(v.iter().map(|s| bulk(s)).collect())
    }

    pub fn ops_text(ops: &[Op]) -> Vec<String> {
        ops.iter()
            .map(|o| o.argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>().join(" "))
            .collect()
    }

    pub fn ops_len(ops: &[Op]) -> Vec<usize> {
        ops.iter().map(|o| encoded_len(&o.argv)).collect()
    }

    pub fn bulk(s: &str) -> Reply {
        Reply::bulk(s)
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_knows_all_listed_commands() {
        assert_eq!(lookup(b"GeT").unwrap().name, "get");
        assert!(lookup(b"nosuch").is_none());
        for n in ["ping", "replicaof", "slaveof", "psync", "replconf", "wait", "time", "lastsave"] {
            assert!(lookup(n.as_bytes()).is_some(), "{}", n);
        }
        assert_eq!(COMMANDS.len(), 67);
        for c in COMMANDS {
            assert!(c.name.bytes().all(|b| b.is_ascii_lowercase()), "{} is not lowercase letters only", c.name);
            assert!(names(c, c.name.to_uppercase().as_bytes()) && !names(c, format!("{}[", &c.name[1..]).as_bytes()));
            assert_eq!(
                lookup(c.name.to_uppercase().as_bytes()).map(|s| s.name),
                Some(c.name)
            );
        }
        assert!(
            lookup(b"get\0").is_none()
                && lookup(b"").is_none()
                && lookup(b"getxxxxxxxxxxxxxxxxxx").is_none()
        );
    }

    #[test]
    fn arity_matches_redis_rules() {
        let get = lookup(b"get").unwrap();
        assert!(check_arity(get, 2));
        assert!(!check_arity(get, 1));
        assert!(!check_arity(get, 3));
        let set = lookup(b"set").unwrap();
        assert!(!check_arity(set, 2));
        assert!(check_arity(set, 3));
        assert!(check_arity(set, 9));
        assert_eq!(lookup(b"hset").unwrap().arity, -4);
        assert_eq!(lookup(b"exists").unwrap().arity, -2);
        assert_eq!(lookup(b"config").unwrap().arity, -2);
    }

    #[test]
    fn arity_error_uses_lowercase_name() {
        assert_eq!(arity_error("GET"), "ERR wrong number of arguments for 'get' command");
        let mut ks = Keyspace::default();
        assert_eq!(
            ok(&mut ks, "GET"),
            Reply::Error("ERR wrong number of arguments for 'get' command".into())
        );
    }

    #[test]
    fn unknown_command_error_matches_redis_spacing() {
        assert_eq!(
            unknown_command_error(&argv("foo a b")),
            "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
        );
        assert_eq!(
            unknown_command_error(&argv("foo")),
            "ERR unknown command 'foo', with args beginning with: "
        );
        assert_eq!(
            unknown_command_error(&[b"foo".to_vec(), b"a\nb".to_vec(), b"c'd".to_vec()]),
            "ERR unknown command 'foo', with args beginning with: 'a b' 'c'd' "
        );
    }

    #[test]
    fn unknown_command_error_truncates_like_redis() {
        let long = "x".repeat(200);
        let e = unknown_command_error(&argv(&format!("foo {} b", long)));
        assert_eq!(e, format!("ERR unknown command 'foo', with args beginning with: '{}' ", "x".repeat(128)));
        let e = unknown_command_error(&argv(&format!("{} a", "y".repeat(200))));
        assert!(e.starts_with(&format!("ERR unknown command '{}', ", "y".repeat(128))));
        // 'aaa...' entries are added while the list is shorter than 128 bytes.
        let many: Vec<String> = (0..40).map(|_| "abcd".to_string()).collect();
        let e = unknown_command_error(&argv(&format!("foo {}", many.join(" "))));
        let args = e.split("with args beginning with: ").nth(1).unwrap();
        assert_eq!(args.len(), 131); // 18 full entries (126 bytes), then 'ab' cut to the 2 bytes left
    }

    #[test]
    fn unknown_subcommand_error_matches_redis() {
        assert_eq!(
            unknown_subcommand_error(&argv("config foo")),
            "ERR unknown subcommand 'foo'. Try CONFIG HELP."
        );
    }

    #[test]
    fn propagation_sequence_matches_real_master_stream() {
        // Replayed on redis-server 7.0.15 and captured with `redis-cli --replica`.
        let mut ks = Keyspace::default();
        let lines = [
            "set k v", "set k v2 get", "set k v3 xx get", "getset k v4", "getdel k", "getdel k",
            "expire nokey 10", "set e 1", "expire e 100 nx", "pexpire e 99999999 gt", "expireat e 1",
            "lpush l a b", "lpop l 0", "lpop l 5", "rpop l", "hset h a 1", "hset h a 1", "hdel h zz",
            "sadd s a", "sadd s a", "srem s zz", "persist nokey", "set p 1 ex 100", "persist p",
            "incrbyfloat f 2.5e1", "set g 1 pxat 99999999999999 get", "del nokey", "mset m 1 n 2", "flushdb",
        ];
        let mut stream = Vec::new();
        for l in lines {
            stream.extend(ops_text(&run(&mut ks, l).1));
        }
        let expected = vec![
            "set k v".to_string(), "set k v2".into(), "set k v3 xx".into(), "SET k v4".into(), "DEL k".into(),
            "set e 1".into(), format!("PEXPIREAT e {} nx", NOW + 100_000), format!("PEXPIREAT e {} gt", NOW + 99_999_999),
            "DEL e".into(), "lpush l a b".into(), "lpop l 5".into(), "hset h a 1".into(), "hset h a 1".into(),
            "sadd s a".into(), format!("SET p 1 PXAT {}", NOW + 100_000), "persist p".into(),
            "SET f 25 KEEPTTL".into(), "SET g 1 PXAT 99999999999999".into(), "mset m 1 n 2".into(), "flushdb".into(),
        ];
        assert_eq!(stream, expected);
    }

    #[test]
    fn server_commands_are_not_executed_here() {
        let mut ks = Keyspace::default();
        assert!(ok(&mut ks, "info").is_error());
        assert_eq!(
            ok(&mut ks, "nosuch x"),
            Reply::Error("ERR unknown command 'nosuch', with args beginning with: 'x' ".into())
        );
    }
}
