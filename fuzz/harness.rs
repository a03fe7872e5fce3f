//! The fuzz targets' bodies, shared by the cargo-fuzz binaries in
//! `fuzz_targets/` and by `tests/fuzz_corpus.rs`, which replays the corpus
//! with the stable toolchain. Each function must not panic on any input;
//! the properties they assert are bugs when they fail.
#![allow(dead_code)]

use replscope::engine::command::{self, Ctx, ExpireMode};
use replscope::engine::keyspace::Keyspace;
use replscope::engine::share::{self, LinkError, Share, MAX_SCRIPT};
use replscope::engine::{rdb, resp, scenario};

/// Virtual time the command target runs at (2026-01-01, as the simulator).
const NOW_MS: u64 = 1_767_225_600_000;

/// `resp::parse_command` on a buffer, then on every remaining request: a
/// request consumes at least one byte and never more than is there.
pub fn resp_parse_command(data: &[u8]) {
    let mut rest = data;
    while let Ok(Some((_argv, used))) = resp::parse_command(rest) {
        assert!(used > 0 && used <= rest.len(), "used {used} of {}", rest.len());
        rest = &rest[used..];
    }
}

/// Data commands on a scratch keyspace: one command a line, arguments
/// separated by spaces; the first byte of a line picks the db and moves the
/// clock. What each command propagates, applied to a replica's keyspace the
/// way the master link applies it (what the replica would feed on is
/// ignored: replicas proxy their master's stream), gives the master's data
/// back.
pub fn command_execute(data: &[u8]) {
    let (mut master, mut replica) = (Keyspace::default(), Keyspace::default());
    let mut now = NOW_MS;
    for line in data.split(|&b| b == b'\n').take(64) {
        let Some((&ctl, line)) = line.split_first() else { continue };
        let argv: Vec<Vec<u8>> = line.split(|&b| b == b' ').filter(|a| !a.is_empty()).map(<[u8]>::to_vec).take(32).collect();
        if argv.is_empty() {
            continue;
        }
        now += u64::from(ctl >> 4) * 700;
        let db = usize::from(ctl & 3);
        let mut ctx = Ctx::new(&mut master, db, now, ExpireMode::Master);
        let _reply = command::execute(&mut ctx, &argv);
        let ops = std::mem::take(&mut ctx.propagate);
        for op in ops {
            let mut rctx = Ctx::new(&mut replica, op.db, now, ExpireMode::ReplicaMasterLink);
            let _ = command::execute(&mut rctx, &op.argv);
        }
        assert!(master == replica, "replica diverged after {:?}", String::from_utf8_lossy(line));
    }
}

/// `scenario::parse` on any text: an error names a line of the script.
pub fn scenario_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = scenario::parse(text) {
        assert!(e.line >= 1 && e.line <= text.lines().count().max(1), "{e}");
    }
}

/// `rdb::decode` on any bytes; what decodes, encoded again, decodes to the
/// same data.
pub fn rdb_decode(data: &[u8]) {
    let Ok(loaded) = rdb::decode(data) else { return };
    let again = rdb::encode(&loaded.keyspace, NOW_MS, 1, loaded.repl.as_ref());
    let round = rdb::decode(&again).expect("an RDB we wrote decodes");
    assert!(round.keyspace == loaded.keyspace, "RDB round trip changed the data");
    assert_eq!(round.repl, loaded.repl, "RDB round trip changed the replication info");
}

/// The share-link decoder: any fragment gives a value or an error, never a
/// panic; and any text, put in a link as the session script, comes back
/// exactly, unless it is too long or not a valid script.
pub fn share_decode(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = share::decode(text);
    let link = share::encode(&Share { script: text.to_string(), lang: Some("zh".into()), sel: Some(6380), embed: false });
    match share::decode(&link) {
        Ok(back) => assert_eq!(back.script, text, "a link changed its script"),
        Err(LinkError::BadScript(_)) => assert!(scenario::parse(text).is_err(), "a valid script was refused"),
        Err(LinkError::Damaged(why)) => assert!(text.len() > MAX_SCRIPT, "a fresh link was damaged: {why}"),
        Err(LinkError::NoScript) => panic!("encode wrote no script"),
    }
}

/// Every target by name, as the corpus directories are named.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("resp_parse_command", resp_parse_command),
    ("command_execute", command_execute),
    ("scenario_parse", scenario_parse),
    ("rdb_decode", rdb_decode),
    ("share_decode", share_decode),
];
