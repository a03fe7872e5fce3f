//! Keyspace commands (db.c, expire.c): DEL, EXISTS, TYPE, KEYS, FLUSHDB,
//! FLUSHALL, the EXPIRE family, TTL, PTTL, PERSIST, and KEYS glob matching.

use super::{err, expire_time_error, Ctx, NOT_INTEGER, SYNTAX_ERROR};
use crate::engine::keyspace::Bytes;
use crate::engine::resp::{parse_i64, Reply};

/// DEL key [key ...]: propagated as typed when at least one key was removed.
pub(super) fn del(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let mut n = 0;
    for k in &argv[1..] {
        let db = ctx.db;
        ctx.keyspace.expire_if_needed(db, k, ctx.now_ms, ctx.expire, &mut ctx.propagate);
        if ctx.remove(k).is_some() {
            n += 1;
        }
    }
    if n > 0 {
        ctx.prop_as_typed();
    }
    Reply::Integer(n)
}

/// EXISTS key [key ...]: a key named twice counts twice.
pub(super) fn exists(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let mut n = 0;
    for k in &argv[1..] {
        if ctx.read(k).is_some() {
            n += 1;
        }
    }
    Reply::Integer(n)
}

/// DBSIZE: the keys in the selected database, logically expired ones included.
pub(super) fn dbsize(ctx: &mut Ctx, _argv: &[Bytes]) -> Reply {
    Reply::Integer(ctx.keyspace.key_count(ctx.db) as i64)
}

/// TYPE key: `string`, `list`, `hash`, `set` or `none`.
pub(super) fn type_cmd(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let t = ctx.read(&argv[1]).map(|e| e.value.type_name()).unwrap_or("none");
    Reply::Status(t.into())
}

/// KEYS pattern: matching keys that are not logically expired (never
/// deletes), in hash-table order as Redis replies.
pub(super) fn keys(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let pat = &argv[1];
    let all = &pat[..] == b"*";
    let now = ctx.now_ms;
    let mut out = Vec::new();
    for (k, e) in ctx.keyspace.dbs[ctx.db].entries.iter() {
        if (all || glob_match(pat, k)) && !e.is_expired(now) {
            out.push(Reply::Bulk(k.clone()));
        }
    }
    Reply::Array(out)
}

/// FLUSHDB / FLUSHALL [ASYNC|SYNC]: always propagated as typed (forced), in the client's db.
pub(super) fn flush(ctx: &mut Ctx, argv: &[Bytes], all: bool) -> Reply {
    let ok_arg = argv.len() == 1
        || (argv.len() == 2 && (argv[1].eq_ignore_ascii_case(b"sync") || argv[1].eq_ignore_ascii_case(b"async")));
    if !ok_arg {
        return err(SYNTAX_ERROR);
    }
    if all {
        ctx.keyspace.flush_all();
    } else {
        ctx.keyspace.dbs[ctx.db].entries.clear();
    }
    ctx.prop_as_typed();
    Reply::ok()
}

/// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT].
/// Propagated as `PEXPIREAT key <abs ms> [flags]`, or `DEL key` on a
/// master when the time is already past.
pub(super) fn expire(ctx: &mut Ctx, argv: &[Bytes], relative: bool, unit_ms: i64) -> Reply {
    let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for opt in &argv[3..] {
        if opt.eq_ignore_ascii_case(b"nx") {
            nx = true;
        } else if opt.eq_ignore_ascii_case(b"xx") {
            xx = true;
        } else if opt.eq_ignore_ascii_case(b"gt") {
            gt = true;
        } else if opt.eq_ignore_ascii_case(b"lt") {
            lt = true;
        } else {
            let end = opt.iter().position(|&c| c == 0).unwrap_or(opt.len());
            return Reply::error(format!("ERR Unsupported option {}", String::from_utf8_lossy(&opt[..end])));
        }
    }
    if nx && (xx || gt || lt) {
        return err("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if gt && lt {
        return err("ERR GT and LT options at the same time are not compatible");
    }
    let mut when = match parse_i64(&argv[2]) {
        Some(v) => v,
        None => return err(NOT_INTEGER),
    };
    if unit_ms == 1000 {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            return Reply::Error(expire_time_error(&name));
        }
        when *= 1000;
    }
    let basetime = if relative { ctx.now_i64() } else { 0 };
    if when > i64::MAX - basetime {
        return Reply::Error(expire_time_error(&name));
    }
    when += basetime;
    let key = &argv[1];
    let current = match ctx.write(key) {
        None => return Reply::Integer(0),
        Some(e) => e.expire_at_ms.map(|t| t as i64),
    };
    let refused = (nx && current.is_some())
        || (xx && current.is_none())
        || (gt && (current.is_none() || current.is_some_and(|c| when <= c)))
        || (lt && current.is_some_and(|c| when >= c));
    if refused {
        return Reply::Integer(0);
    }
    if ctx.is_master() && when <= ctx.now_i64() {
        ctx.remove(key);
        ctx.prop(vec![b"DEL".to_vec(), key.clone()]);
        return Reply::Integer(1);
    }
    if let Some(e) = ctx.write(key) {
        e.expire_at_ms = Some(when.max(0) as u64);
    }
    let mut p = argv.to_vec();
    let typed_pexpireat = !relative && unit_ms == 1;
    if !typed_pexpireat {
        p[0] = b"PEXPIREAT".to_vec();
        p[2] = when.to_string().into_bytes();
    }
    ctx.prop(p);
    Reply::Integer(1)
}

/// TTL / PTTL key: -2 missing, -1 no TTL, else remaining time (TTL rounds to the nearest second).
pub(super) fn ttl(ctx: &mut Ctx, argv: &[Bytes], ms: bool) -> Reply {
    let now = ctx.now_i64();
    let expire = match ctx.read(&argv[1]) {
        None => return Reply::Integer(-2),
        Some(e) => e.expire_at_ms,
    };
    match expire {
        None => Reply::Integer(-1),
        Some(t) => {
            let left = (t as i64 - now).max(0);
            Reply::Integer(if ms { left } else { (left + 500) / 1000 })
        }
    }
}

/// PERSIST key: 1 and propagated as typed if a TTL was removed.
pub(super) fn persist(ctx: &mut Ctx, argv: &[Bytes]) -> Reply {
    let removed = match ctx.write(&argv[1]) {
        Some(e) => e.expire_at_ms.take().is_some(),
        None => false,
    };
    if removed {
        ctx.prop_as_typed();
    }
    Reply::Integer(removed as i64)
}

/// `stringmatchlen` (case-sensitive): glob matching as KEYS does it:
/// `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, and `\` escapes.
pub fn glob_match(pattern: &[u8], string: &[u8]) -> bool {
    let mut skip = false;
    glob_impl(pattern, string, &mut skip)
}

fn glob_impl(p: &[u8], s: &[u8], skip_longer: &mut bool) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    while pi < p.len() && si < s.len() {
        match p[pi] {
            b'*' => {
                while pi + 1 < p.len() && p[pi + 1] == b'*' {
                    pi += 1;
                }
                if pi + 1 == p.len() {
                    return true;
                }
                while si < s.len() {
                    if glob_impl(&p[pi + 1..], &s[si..], skip_longer) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    si += 1;
                }
                *skip_longer = true;
                return false;
            }
            b'?' => si += 1,
            b'[' => {
                pi += 1;
                let not = pi < p.len() && p[pi] == b'^';
                if not {
                    pi += 1;
                }
                let mut matched = false;
                loop {
                    if pi >= p.len() {
                        // Unterminated class: the end of the pattern closes it.
                        pi -= 1;
                        break;
                    } else if p[pi] == b'\\' && p.len() - pi >= 2 {
                        pi += 1;
                        if p[pi] == s[si] {
                            matched = true;
                        }
                    } else if p[pi] == b']' {
                        break;
                    } else if p.len() - pi >= 3 && p[pi + 1] == b'-' {
                        let (mut a, mut b) = (p[pi], p[pi + 2]);
                        if a > b {
                            std::mem::swap(&mut a, &mut b);
                        }
                        if s[si] >= a && s[si] <= b {
                            matched = true;
                        }
                        pi += 2;
                    } else if p[pi] == s[si] {
                        matched = true;
                    }
                    pi += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                si += 1;
            }
            c => {
                let lit = if c == b'\\' && p.len() - pi >= 2 {
                    pi += 1;
                    p[pi]
                } else {
                    c
                };
                if lit != s[si] {
                    return false;
                }
                si += 1;
            }
        }
        pi += 1;
        if si == s.len() {
            while pi < p.len() && p[pi] == b'*' {
                pi += 1;
            }
            break;
        }
    }
    pi == p.len() && si == s.len()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::ExpireMode;
    use super::glob_match;
    use crate::engine::keyspace::Keyspace;
    use crate::engine::resp::Reply;

    #[test]
    fn glob_patterns_match_like_stringmatchlen() {
        let m = |p: &str, s: &str| glob_match(p.as_bytes(), s.as_bytes());
        assert!(m("*", "anything"));
        assert!(!m("*", "")); // as stringmatchlen; KEYS * short-circuits instead
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo")); // reversed range
        assert!(m("h\\*llo", "h*llo"));
        assert!(!m("h\\*llo", "hello"));
        assert!(m("[\\]]", "]"));
        assert!(m("foo*", "foo"));
        assert!(m("*bar", "foobar"));
        assert!(!m("*bar", "foobaz"));
        assert!(m("a*b*c", "aXbYc"));
        assert!(!m("", "a"));
        assert!(m("[abc", "a")); // unterminated class
        assert!(!m("a", ""));
        assert!(!m("*a*a*a*a*a*a*a*a*a*b", &"a".repeat(60)));
    }

    #[test]
    fn del_counts_and_propagates_only_when_something_was_deleted() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set hello x");
        let (r, ops) = run(&mut ks, "DEL hello nope");
        assert_eq!(r, Reply::Integer(1));
        assert_eq!(ops_text(&ops), vec!["DEL hello nope"]);
        let (r, ops) = run(&mut ks, "DEL hello");
        assert_eq!(r, Reply::Integer(0));
        assert!(ops.is_empty());
    }

    #[test]
    fn del_of_expired_key_propagates_only_the_expire_del() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set k v px 10");
        let (r, ops) = run_at(&mut ks, NOW + 11, ExpireMode::Master, "del k");
        assert_eq!(r, Reply::Integer(0));
        assert_eq!(ops_text(&ops), vec!["DEL k"]);
    }

    #[test]
    fn exists_type_keys_dbsize() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "mset a 1 b 2");
        ok(&mut ks, "rpush l x");
        ok(&mut ks, "hset h f v");
        ok(&mut ks, "sadd s m");
        ok(&mut ks, "set gone v px 5");
        assert_eq!(ok(&mut ks, "exists a a nope"), Reply::Integer(2));
        for (k, t) in [("a", "string"), ("l", "list"), ("h", "hash"), ("s", "set"), ("nope", "none")] {
            assert_eq!(ok(&mut ks, &format!("type {}", k)), Reply::Status(t.into()));
        }
        let (r, ops) = run_at(&mut ks, NOW + 10, ExpireMode::Master, "keys *");
        assert_eq!(r, Reply::Array(["a", "b", "l", "h", "s"].iter().map(|s| bulk(s)).collect()));
        assert!(ops.is_empty()); // KEYS hides expired keys without deleting them
        assert_eq!(run_at(&mut ks, NOW + 10, ExpireMode::Master, "dbsize").0, Reply::Integer(6));
        assert_eq!(ok(&mut ks, "keys [ab]"), Reply::Array(vec![bulk("a"), bulk("b")]));
    }

    #[test]
    fn flush_commands_propagate_as_typed() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set a 1");
        ks.dbs[5].entries = ks.dbs[0].entries.clone();
        let (r, ops) = run(&mut ks, "flushdb");
        assert_eq!(r, Reply::ok());
        assert_eq!(ops_text(&ops), vec!["flushdb"]);
        assert_eq!(ks.key_count(5), 1);
        let (_, ops) = run(&mut ks, "FLUSHALL ASYNC");
        assert_eq!(ops_text(&ops), vec!["FLUSHALL ASYNC"]);
        assert_eq!(ops[0].db, 0);
        assert_eq!(ks.key_count(5), 0);
        let (_, ops) = run(&mut ks, "flushall"); // forced even when already empty
        assert_eq!(ops.len(), 1);
        assert_eq!(ok(&mut ks, "flushdb foo"), Reply::Error("ERR syntax error".into()));
        assert_eq!(ok(&mut ks, "flushdb async sync"), Reply::Error("ERR syntax error".into()));
    }

    #[test]
    fn expire_propagates_as_pexpireat_with_measured_size() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "incr counter");
        let (r, ops) = run(&mut ks, "EXPIRE counter 100");
        assert_eq!(r, Reply::Integer(1));
        assert_eq!(ops_text(&ops), vec![format!("PEXPIREAT counter {}", NOW + 100_000)]);
        assert_eq!(ops_len(&ops), vec![52]);
        let (_, ops) = run(&mut ks, "pexpire counter 5000 gt");
        assert!(ops.is_empty()); // not greater
        let (_, ops) = run(&mut ks, "pexpire counter 500000 gt");
        assert_eq!(ops_text(&ops), vec![format!("PEXPIREAT counter {} gt", NOW + 500_000)]);
        let (_, ops) = run(&mut ks, "expireat counter 1800000000");
        assert_eq!(ops_text(&ops), vec!["PEXPIREAT counter 1800000000000"]);
        let (_, ops) = run(&mut ks, "pexpireat counter 1800000000001");
        assert_eq!(ops_text(&ops), vec!["pexpireat counter 1800000000001"]);
        assert_eq!(ok(&mut ks, "expire nope 100"), Reply::Integer(0));
    }

    #[test]
    fn expire_in_the_past_deletes_on_master_only() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set k v");
        let (r, ops) = run(&mut ks, "expire k -1");
        assert_eq!(r, Reply::Integer(1));
        assert_eq!(ops_text(&ops), vec!["DEL k"]);
        assert_eq!(ks.key_count(0), 0);
        ok(&mut ks, "set k v");
        let (r, ops) = run_at(&mut ks, NOW, ExpireMode::ReplicaMasterLink, "pexpireat k 1");
        assert_eq!(r, Reply::Integer(1));
        assert_eq!(ops_text(&ops), vec!["pexpireat k 1"]);
        assert_eq!(ks.key_count(0), 1);
    }

    #[test]
    fn expire_option_errors_and_rules() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set k v");
        assert_eq!(ok(&mut ks, "expire k 10 foo"), Reply::Error("ERR Unsupported option foo".into()));
        assert_eq!(ok(&mut ks, "expire k 10 nx xx"), Reply::Error("ERR NX and XX, GT or LT options at the same time are not compatible".into()));
        assert_eq!(ok(&mut ks, "expire k 10 gt lt"), Reply::Error("ERR GT and LT options at the same time are not compatible".into()));
        assert_eq!(ok(&mut ks, "expire k ten"), Reply::Error(super::NOT_INTEGER.into()));
        assert_eq!(ok(&mut ks, "expire k 9223372036854775"), Reply::Error("ERR invalid expire time in 'expire' command".into()));
        assert_eq!(ok(&mut ks, "expire k 10 xx"), Reply::Integer(0));
        assert_eq!(ok(&mut ks, "expire k 10 gt"), Reply::Integer(0));
        assert_eq!(ok(&mut ks, "expire k 10 lt"), Reply::Integer(1));
        assert_eq!(ok(&mut ks, "expire k 10 nx"), Reply::Integer(0));
        assert_eq!(ok(&mut ks, "expire k 20 xx"), Reply::Integer(1));
    }

    #[test]
    fn ttl_and_pttl_report_minus_two_minus_one_and_round() {
        let mut ks = Keyspace::default();
        assert_eq!(ok(&mut ks, "ttl nope"), Reply::Integer(-2));
        ok(&mut ks, "set k v");
        assert_eq!(ok(&mut ks, "pttl k"), Reply::Integer(-1));
        ok(&mut ks, "pexpire k 1499");
        assert_eq!(ok(&mut ks, "ttl k"), Reply::Integer(1));
        assert_eq!(ok(&mut ks, "pttl k"), Reply::Integer(1499));
        ok(&mut ks, "pexpire k 1500");
        assert_eq!(ok(&mut ks, "ttl k"), Reply::Integer(2));
        let (r, _) = run_at(&mut ks, NOW + 1500, ExpireMode::Master, "pttl k");
        assert_eq!(r, Reply::Integer(0));
    }

    #[test]
    fn persist_removes_ttl_once() {
        let mut ks = Keyspace::default();
        ok(&mut ks, "set k v ex 100");
        let (r, ops) = run(&mut ks, "persist k");
        assert_eq!(r, Reply::Integer(1));
        assert_eq!(ops_text(&ops), vec!["persist k"]);
        let (r, ops) = run(&mut ks, "persist k");
        assert_eq!(r, Reply::Integer(0));
        assert!(ops.is_empty());
        assert_eq!(ok(&mut ks, "persist nope"), Reply::Integer(0));
    }
}
