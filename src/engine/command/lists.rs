//! List commands (t_list.c): LPUSH, RPUSH, LPOP, RPOP (with the 6.2+ count), LRANGE, LLEN.

use super::{err, Ctx, OUT_OF_RANGE_POSITIVE, WRONGTYPE};
use crate::engine::keyspace::{Bytes, Entry, Value};
use crate::engine::resp::{parse_i64, Reply};
use std::collections::VecDeque;

/// LPUSH / RPUSH key element [element ...]: reply is the new length; propagated as typed.
pub(super) fn push(ctx: &mut Ctx, argv: &[Bytes], head: bool) -> Reply {
    let key = &argv[1];
    if ctx.write(key).is_none() {
        ctx.insert(key, Entry::new(Value::List(VecDeque::new())));
    }
    let len = match ctx.write(key) {
        Some(Entry { value: Value::List(l), .. }) => {
            for v in &argv[2..] {
                if head {
                    l.push_front(v.clone());
                } else {
                    l.push_back(v.clone());
                }
            }
            l.len()
        }
        _ => return err(WRONGTYPE),
    };
    ctx.prop_as_typed();
    Reply::Integer(len as i64)
}

/// LPOP / RPOP key [count]: a bulk without count; with count an array,
/// an empty array for count 0, a nil array for a missing key. The key goes
/// when the list empties. Propagated as typed when something was popped.
pub(super) fn pop(ctx: &mut Ctx, argv: &[Bytes], head: bool) -> Reply {
    if argv.len() > 3 {
        return Reply::Error(super::arity_error(if head { "lpop" } else { "rpop" }));
    }
    let count = if argv.len() == 3 {
        match parse_i64(&argv[2]) {
            // getPositiveLongFromObjectOrReply: one message for both cases.
            None => return err(OUT_OF_RANGE_POSITIVE),
            Some(n) if n < 0 => return err(OUT_OF_RANGE_POSITIVE),
            Some(n) => Some(n as usize),
        }
    } else {
        None
    };
    let key = &argv[1];
    let (reply, now_empty) = match ctx.write(key) {
        None => return if count.is_some() { Reply::NilArray } else { Reply::Nil },
        Some(Entry { value: Value::List(l), .. }) => match count {
            Some(0) => return Reply::Array(vec![]),
            None => {
                let v = if head { l.pop_front() } else { l.pop_back() };
                (Reply::Bulk(v.unwrap_or_default()), l.is_empty())
            }
            Some(n) => {
                let n = n.min(l.len());
                let mut out = Vec::with_capacity(n);
                for _ in 0..n {
                    let v = if head { l.pop_front() } else { l.pop_back() };
                    out.push(Reply::Bulk(v.unwrap_or_default()));
                }
                (Reply::Array(out), l.is_empty())
            }
        },
        Some(_) => return err(WRONGTYPE),
    };
    if now_empty {
        ctx.remove(key);
    }
    ctx.prop_as_typed();
    reply
}

/// `getLongFromObjectOrReply` (long is 64-bit here).
fn long_arg(a: &[u8]) -> Result<i64, Reply> {
    parse_i64(a).ok_or_else(|| err(super::NOT_INTEGER))
}

/// LRANGE key start stop: negative indexes count from the tail.
pub(super) fn lrange(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let (start, end) = match (long_arg(&argv[2]), long_arg(&argv[3])) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let l = match ctx.read(&argv[1]) {
        None => return Reply::Array(vec![]),
        Some(Entry { value: Value::List(l), .. }) => l,
        Some(_) => return err(WRONGTYPE),
    };
    let len = l.len() as i64;
    let mut s = if start < 0 { len + start } else { start };
    let mut e = if end < 0 { len + end } else { end };
    if s < 0 {
        s = 0;
    }
    if s > e || s >= len {
        return Reply::Array(vec![]);
    }
    if e >= len {
        e = len - 1;
    }
    let mut out = Vec::with_capacity((e - s + 1) as usize);
    for v in l.range(s as usize..=e as usize) {
        out.push(Reply::Bulk(v.clone()));
    }
    Reply::Array(out)
}

/// LLEN key.
pub(super) fn llen(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    match ctx.read(&argv[1]) {
        None => Reply::Integer(0),
        Some(Entry { value: Value::List(l), .. }) => Reply::Integer(l.len() as i64),
        Some(_) => err(WRONGTYPE),
    }
}


#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::engine::keyspace::Keyspace;
    use crate::engine::resp::Reply;

    #[test]
    fn push_order_and_length() {
        let mut ks = Keyspace::default();
        let (r, ops) = run(&mut ks, "lpush l a b c");
        assert_eq!(r, Reply::Integer(3));
        assert_eq!(ops_text(&ops), vec!["lpush l a b c"]);
        assert_eq!(ok(&mut ks, "rpush l d"), Reply::Integer(4));
        assert_eq!(ok(&mut ks, "lrange l 0 -1"), arr(&["c", "b", "a", "d"]));
        ok(&mut ks, "set s x");
        let (r, ops) = run(&mut ks, "lpush s a");
        assert_eq!(r, Reply::Error(super::WRONGTYPE.into()));
        assert!(ops.is_empty());
    }

    #[test]
    fn lrange_negative_and_out_of_range_indices() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "rpush l a b c d e");
        assert_eq!(ok(&mut ks, "lrange l -2 -1"), arr(&["d", "e"]));
        assert_eq!(ok(&mut ks, "lrange l -100 1"), arr(&["a", "b"]));
        assert_eq!(ok(&mut ks, "lrange l 3 100"), arr(&["d", "e"]));
        assert_eq!(ok(&mut ks, "lrange l 4 2"), arr(&[]));
        assert_eq!(ok(&mut ks, "lrange l 5 10"), arr(&[]));
        assert_eq!(ok(&mut ks, "lrange l -1 -2"), arr(&[]));
        assert_eq!(ok(&mut ks, "lrange nope 0 -1"), arr(&[]));
        assert_eq!(ok(&mut ks, "lrange l a 1"), Reply::Error(super::super::NOT_INTEGER.into()));
    }

    #[test]
    fn pop_with_and_without_count() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "rpush l a b c d");
        let (r, ops) = run(&mut ks, "LPOP l");
        assert_eq!(r, bulk("a"));
        assert_eq!(ops_text(&ops), vec!["LPOP l"]);
        assert_eq!(ok(&mut ks, "rpop l 2"), arr(&["d", "c"]));
        let (r, ops) = run(&mut ks, "lpop l 0");
        assert_eq!(r, arr(&[]));
        assert!(ops.is_empty());
        assert_eq!(ok(&mut ks, "lpop l 10"), arr(&["b"]));
        assert_eq!(ok(&mut ks, "exists l"), Reply::Integer(0)); // emptied list is deleted
        let (r, ops) = run(&mut ks, "lpop l");
        assert_eq!(r, Reply::Nil);
        assert!(ops.is_empty());
        assert_eq!(ok(&mut ks, "lpop l 3"), Reply::NilArray);
        assert_eq!(ok(&mut ks, "lpop l -1"), Reply::Error("ERR value is out of range, must be positive".into()));
        assert_eq!(ok(&mut ks, "lpop l x"), Reply::Error("ERR value is out of range, must be positive".into()));
        assert_eq!(ok(&mut ks, "lpop l 1 2"), Reply::Error("ERR wrong number of arguments for 'lpop' command".into()));
        assert_eq!(ok(&mut ks, "llen nope"), Reply::Integer(0));
    }
}
