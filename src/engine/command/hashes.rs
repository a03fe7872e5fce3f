//! Hash commands (t_hash.c): HSET, HGET, HDEL, HGETALL, HLEN. Fields keep
//! insertion order, as a small hash's listpack does.

use super::{err, Ctx, WRONGTYPE};
use crate::engine::keyspace::{Bytes, Entry, Value};
use crate::engine::resp::Reply;

/// HSET key field value [field value ...]: reply = fields added; always propagated as typed.
pub(super) fn hset(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    if argv.len() % 2 == 1 {
        return Reply::Error(super::arity_error("hset"));
    }
    let key = &argv[1];
    if ctx.write(key).is_none() {
        ctx.insert(key, Entry::new(Value::Hash(Vec::new())));
    }
    let added = match ctx.write(key) {
        Some(Entry { value: Value::Hash(h), .. }) => {
            let mut added = 0;
            for pair in argv[2..].chunks(2) {
                match h.iter_mut().find(|(f, _)| *f == pair[0]) {
                    Some(slot) => slot.1 = pair[1].clone(),
                    None => {
                        h.push((pair[0].clone(), pair[1].clone()));
                        added += 1;
                    }
                }
            }
            added
        }
        _ => return err(WRONGTYPE),
    };
    ctx.prop_as_typed();
    Reply::Integer(added)
}

/// HGET key field.
pub(super) fn hget(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match ctx.read(&argv[1]) {
        None => Reply::Nil,
        Some(Entry { value: Value::Hash(h), .. }) => match h.iter().find(|(f, _)| *f == argv[2]) {
            Some((_, v)) => Reply::Bulk(v.clone()),
            None => Reply::Nil,
        },
        Some(_) => err(WRONGTYPE),
    }
}

/// HDEL key field [field ...]: reply = fields removed; the key goes when
/// the hash empties; propagated as typed only if something was removed.
pub(super) fn hdel(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let key = &argv[1];
    let (deleted, empty) = match ctx.write(key) {
        None => return Reply::Integer(0),
        Some(Entry { value: Value::Hash(h), .. }) => {
            let mut n = 0;
            for f in &argv[2..] {
                if let Some(i) = h.iter().position(|(x, _)| x == f) {
                    h.remove(i);
                    n += 1;
                    if h.is_empty() {
                        break;
                    }
                }
            }
            (n, h.is_empty())
        }
        Some(_) => return err(WRONGTYPE),
    };
    if empty {
        ctx.remove(key);
    }
    if deleted > 0 {
        ctx.prop_as_typed();
    }
    Reply::Integer(deleted)
}

/// HGETALL key: field, value, field, value...
pub(super) fn hgetall(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match ctx.read(&argv[1]) {
        None => Reply::Array(vec![]),
        Some(Entry { value: Value::Hash(h), .. }) => {
            let mut items = Vec::with_capacity(h.len() * 2);
            for (f, v) in h.iter() {
                items.push(Reply::Bulk(f.clone()));
                items.push(Reply::Bulk(v.clone()));
            }
            Reply::Array(items)
        }
        Some(_) => err(WRONGTYPE),
    }
}

/// HLEN key.
pub(super) fn hlen(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match ctx.read(&argv[1]) {
        None => Reply::Integer(0),
        Some(Entry { value: Value::Hash(h), .. }) => Reply::Integer(h.len() as i64),
        Some(_) => err(WRONGTYPE),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::engine::keyspace::Keyspace;
    use crate::engine::resp::Reply;

    #[test]
    fn hset_multiple_pairs_returns_number_added() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "hset h a 1 b 2");
        assert_eq!(r, Reply::Integer(2));
        assert_eq!(ops_text(&ops), vec!["hset h a 1 b 2"]);
        let (r, ops) = run(&mut ks, "hset h a 9 c 3");
        assert_eq!(r, Reply::Integer(1));
        assert_eq!(ops.len(), 1);
        let (r, ops) = run(&mut ks, "hset h a 9");
        assert_eq!(r, Reply::Integer(0));
        assert_eq!(ops.len(), 1); // HSET always propagates
        assert_eq!(
            ok(&mut ks, "hgetall h"),
            Reply::Array(["a", "9", "b", "2", "c", "3"].iter().map(|s| bulk(s)).collect())
        );
        assert_eq!(ok(&mut ks, "hset h a"), Reply::Error("ERR wrong number of arguments for 'hset' command".into()));
        assert_eq!(ok(&mut ks, "hset h a 1 b"), Reply::Error("ERR wrong number of arguments for 'hset' command".into()));
    }

    #[test]
    fn hget_hdel_hlen() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "hset h a 1 b 2");
        assert_eq!(ok(&mut ks, "hget h a"), bulk("1"));
        assert_eq!(ok(&mut ks, "hget h z"), Reply::Nil);
        assert_eq!(ok(&mut ks, "hget nope z"), Reply::Nil);
        let (r, ops) = run(&mut ks, "hdel h z");
        assert_eq!(r, Reply::Integer(0));
        assert!(ops.is_empty());
        assert_eq!(ok(&mut ks, "hlen h"), Reply::Integer(2));
        let (r, ops) = run(&mut ks, "hdel h a b a");
        assert_eq!(r, Reply::Integer(2));
        assert_eq!(ops_text(&ops), vec!["hdel h a b a"]);
        assert_eq!(ok(&mut ks, "exists h"), Reply::Integer(0));
        assert_eq!(ok(&mut ks, "hgetall h"), Reply::Array(vec![]));
        ok(&mut ks, "set s v");
        assert_eq!(ok(&mut ks, "hget s a"), Reply::Error(super::WRONGTYPE.into()));
        assert_eq!(ok(&mut ks, "hset s a b"), Reply::Error(super::WRONGTYPE.into()));
    }
}
