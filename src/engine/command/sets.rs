//! Set commands (t_set.c): SADD, SREM, SMEMBERS, SCARD, SISMEMBER.

use super::{err, Ctx, WRONGTYPE};
use crate::engine::keyspace::{Bytes, Entry, Value};
use crate::engine::resp::{parse_i64, Reply};
use crate::engine::vecmap::VecSet;

/// `set-max-intset-entries`: up to this many all-integer members a set is an intset.
pub const SET_MAX_INTSET_ENTRIES: usize = 512;

/// SADD key member [member ...]: reply = members added; propagated as typed if any.
pub(super) fn sadd(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let key = &argv[1];
    if ctx.write(key).is_none() {
        ctx.insert(key, Entry::new(Value::Set(VecSet::new())));
    }
    let added = match ctx.write(key) {
        Some(Entry { value: Value::Set(s), .. }) => {
            let mut added = 0;
            for m in &argv[2..] {
                if s.insert(m.clone()) {
                    added += 1;
                }
            }
            added
        }
        _ => return err(WRONGTYPE),
    };
    if added > 0 {
        ctx.prop_as_typed();
    }
    Reply::Integer(added as i64)
}

/// SREM key member [member ...]: reply = members removed; the key goes when
/// the set empties; propagated as typed if any were removed.
pub(super) fn srem(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let key = &argv[1];
    let (removed, empty) = match ctx.write(key) {
        None => return Reply::Integer(0),
        Some(Entry { value: Value::Set(s), .. }) => {
            let mut n = 0;
            for m in &argv[2..] {
                if s.remove(m) {
                    n += 1;
                    if s.is_empty() {
                        break;
                    }
                }
            }
            (n, s.is_empty())
        }
        Some(_) => return err(WRONGTYPE),
    };
    if empty {
        ctx.remove(key);
    }
    if removed > 0 {
        ctx.prop_as_typed();
    }
    Reply::Integer(removed)
}

/// The order SMEMBERS replies in: ascending numeric for an intset (every
/// member an integer, at most 512 of them), else byte order (Redis's
/// hash-table order is not reproduced).
pub fn set_reply_order(s: &VecSet<Bytes>) -> Vec<Bytes> {
    if s.len() <= SET_MAX_INTSET_ENTRIES {
        let mut ints = Vec::with_capacity(s.len());
        for m in s.iter() {
            match parse_i64(m) {
                Some(n) => ints.push(n),
                None => break,
            }
        }
        if ints.len() == s.len() {
            crate::engine::heapsort::sort(&mut ints);
            let mut out = Vec::with_capacity(ints.len());
            for n in ints {
                out.push(n.to_string().into_bytes());
            }
            return out;
        }
    }
    let mut out = Vec::with_capacity(s.len());
    for m in s.iter() {
        out.push(m.clone());
    }
    out
}

/// SMEMBERS key.
pub(super) fn smembers(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match ctx.read(&argv[1]) {
        None => Reply::Array(vec![]),
        Some(Entry { value: Value::Set(s), .. }) => {
            let mut out = Vec::with_capacity(s.len());
            for m in set_reply_order(s) {
                out.push(Reply::Bulk(m));
            }
            Reply::Array(out)
        }
        Some(_) => err(WRONGTYPE),
    }
}

/// SCARD key.
pub(super) fn scard(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match ctx.read(&argv[1]) {
        None => Reply::Integer(0),
        Some(Entry { value: Value::Set(s), .. }) => Reply::Integer(s.len() as i64),
        Some(_) => err(WRONGTYPE),
    }
}

/// SISMEMBER key member: 1 or 0.
pub(super) fn sismember(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match ctx.read(&argv[1]) {
        None => Reply::Integer(0),
        Some(Entry { value: Value::Set(s), .. }) => Reply::Integer(s.contains(&argv[2]) as i64),
        Some(_) => err(WRONGTYPE),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::engine::keyspace::Keyspace;
    use crate::engine::resp::Reply;

    #[test]
    fn smembers_of_integer_set_is_numeric_order() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "sadd s 10 -3 2 100");
        assert_eq!(ok(&mut ks, "smembers s"), arr(&["-3", "2", "10", "100"]));
        ok(&mut ks, "sadd s x");
        assert_eq!(ok(&mut ks, "smembers s"), arr(&["-3", "10", "100", "2", "x"]));
    }

    #[test]
    fn sadd_srem_propagate_only_changes() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "sadd s a b a");
        assert_eq!(r, Reply::Integer(2));
        assert_eq!(ops_text(&ops), vec!["sadd s a b a"]);
        let (r, ops) = run(&mut ks, "sadd s a");
        assert_eq!(r, Reply::Integer(0));
        assert!(ops.is_empty());
        let (r, ops) = run(&mut ks, "srem s z");
        assert_eq!(r, Reply::Integer(0));
        assert!(ops.is_empty());
        assert_eq!(ok(&mut ks, "scard s"), Reply::Integer(2));
        assert_eq!(ok(&mut ks, "sismember s a"), Reply::Integer(1));
        assert_eq!(ok(&mut ks, "sismember s z"), Reply::Integer(0));
        let (r, ops) = run(&mut ks, "srem s a b");
        assert_eq!(r, Reply::Integer(2));
        assert_eq!(ops.len(), 1);
        assert_eq!(ok(&mut ks, "exists s"), Reply::Integer(0));
        assert_eq!(ok(&mut ks, "smembers s"), arr(&[]));
        ok(&mut ks, "set str v");
        assert_eq!(ok(&mut ks, "sadd str a"), Reply::Error(super::WRONGTYPE.into()));
        assert_eq!(ok(&mut ks, "smembers str"), Reply::Error(super::WRONGTYPE.into()));
    }
}
