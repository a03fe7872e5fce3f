//! String commands (t_string.c): SET and its options, GET, GETSET, GETDEL,
//! MSET, MGET, INCR family, INCRBYFLOAT, APPEND, STRLEN.

use super::float::{format_long_double, parse_long_double};
use super::{err, int_arg, Ctx, DECR_OVERFLOW, INCR_OVERFLOW, NAN_OR_INFINITY, NOT_FLOAT, NOT_INTEGER, STRING_TOO_LONG, SYNTAX_ERROR, WRONGTYPE};
use crate::engine::keyspace::{Bytes, Entry, Keyspace, Value};
use crate::engine::resp::{parse_i64, Reply, PROTO_MAX_BULK_LEN};

const NX: u32 = 1;
const XX: u32 = 2;
const EX: u32 = 4;
const PX: u32 = 8;
const KEEPTTL: u32 = 16;
const GET: u32 = 32;
const EXAT: u32 = 64;
const PXAT: u32 = 128;

fn is(opt: &[u8], name: &str) -> bool {
    opt.eq_ignore_ascii_case(name.as_bytes())
}

/// `parseExtendedStringArgumentsOrReply` for SET: flags and the expire argument index.
fn parse_set_options(argv: &[Bytes]) -> Result<(u32, Option<usize>), Reply> {
    let mut flags = 0u32;
    let mut expire = None;
    let mut j = 3;
    while j < argv.len() {
        let opt = &argv[j][..];
        let has_next = j + 1 < argv.len();
        let ttl_flags = EX | EXAT | PX | PXAT;
        if is(opt, "nx") && flags & XX == 0 {
            flags |= NX;
        } else if is(opt, "xx") && flags & NX == 0 {
            flags |= XX;
        } else if is(opt, "get") {
            flags |= GET;
        } else if is(opt, "keepttl") && flags & ttl_flags == 0 {
            flags |= KEEPTTL;
        } else if is(opt, "ex") && flags & (KEEPTTL | EXAT | PX | PXAT) == 0 && has_next {
            flags |= EX;
            expire = Some(j + 1);
            j += 1;
        } else if is(opt, "px") && flags & (KEEPTTL | EX | EXAT | PXAT) == 0 && has_next {
            flags |= PX;
            expire = Some(j + 1);
            j += 1;
        } else if is(opt, "exat") && flags & (KEEPTTL | EX | PX | PXAT) == 0 && has_next {
            flags |= EXAT;
            expire = Some(j + 1);
            j += 1;
        } else if is(opt, "pxat") && flags & (KEEPTTL | EX | EXAT | PX) == 0 && has_next {
            flags |= PXAT;
            expire = Some(j + 1);
            j += 1;
        } else {
            return Err(err(SYNTAX_ERROR));
        }
        j += 1;
    }
    Ok((flags, expire))
}

/// `getGenericCommand`: Ok(reply) for nil or the string, Err for WRONGTYPE.
fn get_generic(ctx: &mut Ctx, key: &[u8]) -> Result<Reply, Reply> {
    match ctx.read(key) {
        None => Ok(Reply::Nil),
        Some(Entry { value: Value::Str(s), .. }) => Ok(Reply::Bulk(s.clone())),
        Some(_) => Err(err(WRONGTYPE)),
    }
}

/// `setKey`: store a string, dropping the TTL unless `keep_ttl`.
fn set_key(ctx: &mut Ctx, key: &[u8], val: &[u8], keep_ttl: bool) {
    match ctx.write(key) {
        Some(e) => overwrite(e, val, keep_ttl),
        None => ctx.insert(key, Entry::new(Value::Str(val.to_vec()))),
    }
}

/// [`set_key`] (no KEEPTTL) as a replica's master link runs it, whose
/// lookups never expire a key (`lookupKeyWrite` finds what is there): the
/// table is asked once, without a `Ctx` or the expiry branches. The
/// replica's `SET key value` from the stream comes this way.
pub(crate) fn set_key_from_master(ks: &mut Keyspace, db: usize, key: &[u8], val: &[u8]) {
    let pos = ks.dbs[db].entries.position(key);
    set_key_at(ks, db, pos, key, val);
}

/// An existing key's new string value. An overwritten string keeps its
/// buffer (no allocation) unless the buffer is far larger than the new
/// value.
#[inline(always)]
fn overwrite(e: &mut Entry, val: &[u8], keep_ttl: bool) {
    match &mut e.value {
        Value::Str(s) if s.capacity() <= 4 * val.len().max(64) => {
            crate::engine::sds::cpy(s, val);
        }
        other => *other = Value::Str(val.to_vec()),
    }
    if !keep_ttl {
        e.expire_at_ms = None;
    }
}

/// [`set_key`] (no KEEPTTL) for a key found unexpired at `pos` in db
/// `db`, or not found (`None`), without a second lookup: a write load's
/// SET on a master (see `Node::load_set`).
pub(crate) fn set_key_at(ks: &mut Keyspace, db: usize, pos: Option<usize>, key: &[u8], val: &[u8]) {
    let entries = &mut ks.dbs[db].entries;
    match pos {
        Some(pos) => overwrite(entries.value_at_mut(pos), val, false),
        None => {
            entries.insert(key.to_vec(), Entry::new(Value::Str(val.to_vec())));
        }
    }
}

/// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL].
pub(super) fn set(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let (flags, expire_idx) = match parse_set_options(argv) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let key = &argv[1];
    let val = &argv[2];
    // getExpireMillisecondsOrReply
    let mut when: i64 = 0;
    if let Some(i) = expire_idx {
        when = match parse_i64(&argv[i]) {
            Some(v) => v,
            None => return err(NOT_INTEGER),
        };
        let seconds = flags & (EX | EXAT) != 0;
        if when <= 0 || (seconds && when > i64::MAX / 1000) {
            return err(super::SET_EXPIRE_TIME_ERROR);
        }
        if seconds {
            when *= 1000;
        }
        if flags & (EX | PX) != 0 {
            when = when.wrapping_add(ctx.now_i64());
        }
        if when <= 0 {
            return err(super::SET_EXPIRE_TIME_ERROR);
        }
    }
    let mut reply = Reply::ok();
    if flags & GET != 0 {
        match get_generic(ctx, key) {
            Ok(r) => reply = r,
            Err(e) => return e,
        }
    }
    // Without NX/XX the lookup in `set_key` is the only one needed.
    if flags & (NX | XX) != 0 {
        let found = ctx.exists_for_write(key);
        if (flags & NX != 0 && found) || (flags & XX != 0 && !found) {
            return if flags & GET != 0 { reply } else { Reply::Nil };
        }
    }
    set_key(ctx, key, val, flags & KEEPTTL != 0);
    if expire_idx.is_some() {
        if let Some(e) = ctx.write(key) {
            e.expire_at_ms = Some(when as u64);
        }
        ctx.prop(vec![b"SET".to_vec(), key.clone(), val.clone(), b"PXAT".to_vec(), when.to_string().into_bytes()]);
    } else if flags & GET != 0 {
        let mut kept: Vec<Bytes> = Vec::with_capacity(argv.len());
        for (j, a) in argv.iter().enumerate() {
            if !(j >= 3 && is(a, "get")) {
                kept.push(a.clone());
            }
        }
        ctx.prop(kept);
    } else {
        ctx.prop_as_typed();
    }
    reply
}

/// GET key.
pub(super) fn get(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match get_generic(ctx, &argv[1]) {
        Ok(r) | Err(r) => r,
    }
}

/// GETSET key value: propagated as `SET key value`.
pub(super) fn getset(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let reply = match get_generic(ctx, &argv[1]) {
        Ok(r) => r,
        Err(e) => return e,
    };
    set_key(ctx, &argv[1], &argv[2], false);
    let mut p = argv.to_vec();
    p[0] = b"SET".to_vec();
    ctx.prop(p);
    reply
}

/// GETDEL key: propagated as `DEL key` when it deleted something.
pub(super) fn getdel(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let reply = match get_generic(ctx, &argv[1]) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if reply != Reply::Nil && ctx.remove(&argv[1]).is_some() {
        ctx.prop(vec![b"DEL".to_vec(), argv[1].clone()]);
    }
    reply
}

/// MSET key value [key value ...]: propagated as typed.
pub(super) fn mset(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    if argv.len().is_multiple_of(2) {
        return Reply::Error(super::arity_error("mset"));
    }
    for pair in argv[1..].chunks(2) {
        set_key(ctx, &pair[0], &pair[1], false);
    }
    ctx.prop_as_typed();
    Reply::ok()
}

/// MGET key [key ...]: nil for missing keys and non-strings.
pub(super) fn mget(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let mut out = Vec::with_capacity(argv.len() - 1);
    for k in &argv[1..] {
        out.push(match ctx.read(k) {
            Some(Entry { value: Value::Str(s), .. }) => Reply::Bulk(s.clone()),
            _ => Reply::Nil,
        });
    }
    Reply::Array(out)
}

/// `incrDecrCommand`: INCR, DECR, INCRBY, DECRBY (TTL kept, propagated as typed).
pub(super) fn incr_decr(ctx: &mut Ctx, argv: &[Bytes], incr: i64) -> Reply {
    let key = &argv[1];
    let (old, ttl) = match ctx.write(key) {
        None => (0, None),
        Some(Entry { value: Value::Str(s), expire_at_ms }) => match parse_i64(s) {
            Some(v) => (v, *expire_at_ms),
            None => return err(NOT_INTEGER),
        },
        Some(_) => return err(WRONGTYPE),
    };
    let new = match old.checked_add(incr) {
        Some(v) => v,
        None => return err(INCR_OVERFLOW),
    };
    ctx.insert(key, Entry { value: Value::Str(new.to_string().into_bytes()), expire_at_ms: ttl });
    ctx.prop_as_typed();
    Reply::Integer(new)
}

/// INCRBY key increment.
pub(super) fn incrby(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match int_arg(&argv[2]) {
        Ok(n) => incr_decr(ctx, argv, n),
        Err(e) => e,
    }
}

/// DECRBY key decrement: the decrement's negation must fit an `i64`.
pub(super) fn decrby(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match int_arg(&argv[2]) {
        Ok(i64::MIN) => err(DECR_OVERFLOW),
        Ok(n) => incr_decr(ctx, argv, -n),
        Err(e) => e,
    }
}

/// INCRBYFLOAT key increment: long double arithmetic, propagated as `SET key <new> KEEPTTL`.
pub(super) fn incrbyfloat(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let key = &argv[1];
    let (old, ttl) = match ctx.write(key) {
        None => (Some(super::LongDouble::ZERO), None),
        Some(Entry { value: Value::Str(s), expire_at_ms }) => (parse_long_double(s), *expire_at_ms),
        Some(_) => return err(WRONGTYPE),
    };
    let (old, incr) = match (old, parse_long_double(&argv[2])) {
        (Some(a), Some(b)) => (a, b),
        _ => return err(NOT_FLOAT),
    };
    let sum = old.plus(incr);
    if !sum.is_finite() {
        return err(NAN_OR_INFINITY);
    }
    let text = format_long_double(sum).into_bytes();
    ctx.insert(key, Entry { value: Value::Str(text.clone()), expire_at_ms: ttl });
    ctx.prop(vec![b"SET".to_vec(), key.clone(), text.clone(), b"KEEPTTL".to_vec()]);
    Reply::Bulk(text)
}

/// APPEND key value: creates the key if missing; propagated as typed.
pub(super) fn append(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let key = &argv[1];
    let add = &argv[2];
    let total = match ctx.write(key) {
        None => {
            ctx.insert(key, Entry::new(Value::Str(add.clone())));
            add.len()
        }
        Some(Entry { value: Value::Str(s), .. }) => {
            if (s.len() + add.len()) as i64 > PROTO_MAX_BULK_LEN {
                return err(STRING_TOO_LONG);
            }
            s.extend_from_slice(add);
            s.len()
        }
        Some(_) => return err(WRONGTYPE),
    };
    ctx.prop_as_typed();
    Reply::Integer(total as i64)
}

/// STRLEN key.
pub(super) fn strlen(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match ctx.read(&argv[1]) {
        None => Reply::Integer(0),
        Some(Entry { value: Value::Str(s), .. }) => Reply::Integer(s.len() as i64),
        Some(_) => err(WRONGTYPE),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::ExpireMode;
    use crate::engine::keyspace::Keyspace;
    use crate::engine::resp::Reply;

    #[test]
    fn set_propagates_as_typed_with_measured_size() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "SET hello redis");
        assert_eq!(r, Reply::ok());
        assert_eq!(ops_text(&ops), vec!["SET hello redis"]);
        assert_eq!(ops_len(&ops), vec![35]);
        let (_, ops) = run(&mut ks, "set a b");
        assert_eq!(ops_text(&ops), vec!["set a b"]); // client spelling kept
        assert_eq!(ops_len(&ops), vec![27]);
    }

    #[test]
    fn set_with_ex_propagates_as_pxat() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "SET k v EX 100");
        assert_eq!(r, Reply::ok());
        assert_eq!(ops_text(&ops), vec![format!("SET k v PXAT {}", NOW + 100_000)]);
        assert_eq!(ops_len(&ops), vec![57]);
        assert_eq!(ks.get(0, b"k").unwrap().expire_at_ms, Some(NOW + 100_000));
        let (_, ops) = run(&mut ks, "set foo bar px 100");
        assert_eq!(ops_len(&ops), vec![61]);
        let (_, ops) = run(&mut ks, "set foo2 bar px 100");
        assert_eq!(ops_len(&ops), vec![62]);
        let (_, ops) = run(&mut ks, "set k v exat 1800000000 nx");
        assert!(ops.is_empty()); // NX fails: k exists
        let (_, ops) = run(&mut ks, "set k2 v exat 1800000000 xx get");
        assert!(ops.is_empty());
        let (r, ops) = run(&mut ks, "set k v pxat 1800000000000 get");
        assert_eq!(r, bulk("v"));
        assert_eq!(ops_text(&ops), vec!["SET k v PXAT 1800000000000"]);
    }

    #[test]
    fn set_options_combinations_and_errors() {
        let mut ks = Keyspace::default();
        assert_eq!(ok(&mut ks, "set k v nx"), Reply::ok());
        assert_eq!(ok(&mut ks, "set k v nx"), Reply::Nil);
        assert_eq!(ok(&mut ks, "set k2 v xx"), Reply::Nil);
        assert_eq!(ok(&mut ks, "set k v2 nx get"), bulk("v"));
        assert_eq!(ok(&mut ks, "set k v3 xx get"), bulk("v"));
        assert_eq!(ok(&mut ks, "get k"), bulk("v3"));
        for bad in ["set k v nx xx", "set k v xx nx", "set k v ex 10 px 10", "set k v keepttl ex 10",
                    "set k v ex 10 keepttl", "set k v ex", "set k v foo", "set k v exat 1 pxat 1"] {
            assert_eq!(ok(&mut ks, bad), Reply::Error("ERR syntax error".into()), "{}", bad);
        }
        assert_eq!(ok(&mut ks, "set k v ex 0"), Reply::Error("ERR invalid expire time in 'set' command".into()));
        assert_eq!(ok(&mut ks, "set k v px -5"), Reply::Error("ERR invalid expire time in 'set' command".into()));
        assert_eq!(ok(&mut ks, "set k v ex 9223372036854776"), Reply::Error("ERR invalid expire time in 'set' command".into()));
        assert_eq!(ok(&mut ks, "set k v ex 1.5"), Reply::Error("ERR value is not an integer or out of range".into()));
        assert_eq!(ok(&mut ks, "set k v ex 10 ex 20"), Reply::ok()); // repeated EX is accepted, last wins
        assert_eq!(ks.get(0, b"k").unwrap().expire_at_ms, Some(NOW + 20_000));
    }

    #[test]
    fn set_keepttl_keeps_and_plain_set_clears_ttl() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set k v ex 100");
        let (_, ops) = run(&mut ks, "set k v2 keepttl");
        assert_eq!(ops_text(&ops), vec!["set k v2 keepttl"]);
        assert_eq!(ks.get(0, b"k").unwrap().expire_at_ms, Some(NOW + 100_000));
        ok(&mut ks, "set k v3");
        assert_eq!(ks.get(0, b"k").unwrap().expire_at_ms, None);
    }

    #[test]
    fn set_get_without_ttl_propagates_without_get() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "set k v GET");
        assert_eq!(r, Reply::Nil);
        assert_eq!(ops_text(&ops), vec!["set k v"]);
        let (r, ops) = run(&mut ks, "set k w get xx Get");
        assert_eq!(r, bulk("v"));
        assert_eq!(ops_text(&ops), vec!["set k w xx"]);
        ok(&mut ks, "lpush l a");
        let (r, ops) = run(&mut ks, "set l v get");
        assert_eq!(r, Reply::Error(super::WRONGTYPE.into()));
        assert!(ops.is_empty());
        assert_eq!(ok(&mut ks, "set l v"), Reply::ok()); // plain SET overwrites any type
        assert_eq!(ok(&mut ks, "type l"), Reply::Status("string".into()));
    }

    #[test]
    fn lazy_expire_in_write_propagates_del_first() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set foo2 bar px 100");
        let (r, ops) = run_at(&mut ks, NOW + 101, ExpireMode::Master, "SET foo2 new");
        assert_eq!(r, Reply::ok());
        assert_eq!(ops_text(&ops), vec!["DEL foo2", "SET foo2 new"]);
        assert_eq!(ops_len(&ops), vec![23, 32]);
    }

    #[test]
    fn lazy_expire_in_read_propagates_only_del() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set foo bar px 100");
        let (r, ops) = run_at(&mut ks, NOW + 100, ExpireMode::Master, "GET foo");
        assert_eq!(r, bulk("bar")); // not yet: expiry is strictly after
        assert!(ops.is_empty());
        let (r, ops) = run_at(&mut ks, NOW + 101, ExpireMode::Master, "GET foo");
        assert_eq!(r, Reply::Nil);
        assert_eq!(ops_len(&ops), vec![22]);
        assert_eq!(ks.key_count(0), 0);
    }

    #[test]
    fn replica_client_hides_expired_key_but_dbsize_counts_it() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set foo bar px 100");
        ok(&mut ks, "set foo2 bar px 100");
        let later = NOW + 200;
        for (line, want) in [("GET foo", Reply::Nil), ("EXISTS foo", Reply::Integer(0)),
                             ("PTTL foo", Reply::Integer(-2)), ("DBSIZE", Reply::Integer(2))] {
            let (r, ops) = run_at(&mut ks, later, ExpireMode::ReplicaClient, line);
            assert_eq!(r, want, "{}", line);
            assert!(ops.is_empty());
        }
        assert_eq!(ks.key_count(0), 2);
    }

    #[test]
    fn master_link_applies_commands_to_expired_keys() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set n 5 px 100");
        let (r, ops) = run_at(&mut ks, NOW + 200, ExpireMode::ReplicaMasterLink, "INCR n");
        assert_eq!(r, Reply::Integer(6));
        assert_eq!(ops_text(&ops), vec!["INCR n"]);
        let (r, _) = run_at(&mut ks, NOW + 200, ExpireMode::ReplicaMasterLink, "GET n");
        assert_eq!(r, bulk("6"));
    }

    #[test]
    fn getset_and_getdel_rewrites() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set k v ex 100");
        let (r, ops) = run(&mut ks, "getset k w");
        assert_eq!(r, bulk("v"));
        assert_eq!(ops_text(&ops), vec!["SET k w"]);
        assert_eq!(ks.get(0, b"k").unwrap().expire_at_ms, None);
        let (r, ops) = run(&mut ks, "getset new x");
        assert_eq!(r, Reply::Nil);
        assert_eq!(ops_text(&ops), vec!["SET new x"]);
        let (r, ops) = run(&mut ks, "getdel k");
        assert_eq!(r, bulk("w"));
        assert_eq!(ops_text(&ops), vec!["DEL k"]);
        let (r, ops) = run(&mut ks, "getdel k");
        assert_eq!(r, Reply::Nil);
        assert!(ops.is_empty());
    }

    #[test]
    fn mset_propagates_as_typed_and_checks_pairs() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "mset a 1 b 2");
        assert_eq!(r, Reply::ok());
        assert_eq!(ops_text(&ops), vec!["mset a 1 b 2"]);
        assert_eq!(ok(&mut ks, "mset a 1 b"), Reply::Error("ERR wrong number of arguments for 'mset' command".into()));
        ok(&mut ks, "lpush l x");
        assert_eq!(ok(&mut ks, "mget a nope l b"), Reply::Array(vec![bulk("1"), Reply::Nil, Reply::Nil, bulk("2")]));
    }

    #[test]
    fn incr_family_semantics() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "INCR counter");
        assert_eq!(r, Reply::Integer(1));
        assert_eq!(ops_len(&ops), vec![27]);
        assert_eq!(ok(&mut ks, "incrby counter 10"), Reply::Integer(11));
        assert_eq!(ok(&mut ks, "decrby counter 20"), Reply::Integer(-9));
        assert_eq!(ok(&mut ks, "decr counter"), Reply::Integer(-10));
        assert_eq!(ok(&mut ks, "incrby counter +1"), Reply::Error(super::NOT_INTEGER.into()));
        assert_eq!(ok(&mut ks, "decrby counter -9223372036854775808"), Reply::Error("ERR decrement would overflow".into()));
        ok(&mut ks, "set big 9223372036854775807");
        assert_eq!(ok(&mut ks, "incr big"), Reply::Error("ERR increment or decrement would overflow".into()));
        for v in ["01", " 1", "1.0", "abc", ""] {
            ks.dbs[0].entries.insert(b"s".to_vec(), crate::engine::keyspace::Entry::new(crate::engine::keyspace::Value::Str(v.as_bytes().to_vec())));
            let (r, ops) = run(&mut ks, "incr s");
            assert_eq!(r, Reply::Error(super::NOT_INTEGER.into()), "{:?}", v);
            assert!(ops.is_empty());
        }
        ok(&mut ks, "lpush l x");
        assert_eq!(ok(&mut ks, "incr l"), Reply::Error(super::WRONGTYPE.into()));
        ok(&mut ks, "set t 5 ex 100");
        ok(&mut ks, "incr t");
        assert_eq!(ks.get(0, b"t").unwrap().expire_at_ms, Some(NOW + 100_000)); // TTL kept
    }

    #[test]
    fn incrbyfloat_propagates_as_set_keepttl() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "INCRBYFLOAT f 1.5");
        assert_eq!(r, bulk("1.5"));
        assert_eq!(ops_text(&ops), vec!["SET f 1.5 KEEPTTL"]);
        assert_eq!(ops_len(&ops), vec![42]);
        assert_eq!(ok(&mut ks, "incrbyfloat f 1.5"), bulk("3"));
        ok(&mut ks, "set m 10.50");
        assert_eq!(ok(&mut ks, "incrbyfloat m 0.1"), bulk("10.6"));
        assert_eq!(ok(&mut ks, "incrbyfloat m -5"), bulk("5.6"));
        ok(&mut ks, "set e 5.0e3");
        assert_eq!(ok(&mut ks, "incrbyfloat e 2.0e2"), bulk("5200"));
        assert_eq!(ok(&mut ks, "incrbyfloat e abc"), Reply::Error("ERR value is not a valid float".into()));
        assert_eq!(ok(&mut ks, "incrbyfloat e inf"), Reply::Error("ERR increment would produce NaN or Infinity".into()));
        ok(&mut ks, "set s hello");
        assert_eq!(ok(&mut ks, "incrbyfloat s 1"), Reply::Error("ERR value is not a valid float".into()));
    }

    #[test]
    fn append_and_strlen() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "append s Hello");
        assert_eq!(r, Reply::Integer(5));
        assert_eq!(ops_text(&ops), vec!["append s Hello"]);
        assert_eq!(ok(&mut ks, "append s \" World\""), Reply::Integer(11));
        assert_eq!(ok(&mut ks, "strlen s"), Reply::Integer(11));
        assert_eq!(ok(&mut ks, "strlen nope"), Reply::Integer(0));
        ok(&mut ks, "sadd set a");
        assert_eq!(ok(&mut ks, "strlen set"), Reply::Error(super::WRONGTYPE.into()));
        assert_eq!(ok(&mut ks, "get set"), Reply::Error(super::WRONGTYPE.into()));
    }
}
