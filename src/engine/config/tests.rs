//! The config table's parsing, CONFIG GET/SET and command-line rules.

use super::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn units() {
    assert_eq!(memtoull("1mb"), Some(1048576));
    assert_eq!(memtoull("1m"), Some(1_000_000));
    assert_eq!(memtoull("16KB"), Some(16384));
    assert_eq!(memtoull("1Gb"), Some(1 << 30));
    assert_eq!(memtoull("2k"), Some(2000));
    assert_eq!(memtoull("100"), Some(100));
    assert_eq!(memtoull("5b"), Some(5));
    assert_eq!(memtoull("1tb"), None);
    assert_eq!(memtoull("-1"), None);
    let mut c = Config::default();
    c.set("repl-backlog-size", "16kb").unwrap();
    assert_eq!(c.get("repl-backlog-size"), vec![("repl-backlog-size".into(), "16384".into())]);
    c.set("repl-backlog-size", "100").unwrap(); // resize clamps to the minimum
    assert_eq!(c.repl_backlog_size, 16384);
    c.set("maxmemory", "1gb").unwrap();
    assert_eq!(c.get("maxmemory")[0].1, "1073741824");
}

#[test]
fn defaults_and_get() {
    let c = Config::default();
    assert_eq!(c.get("client-output-buffer-limit")[0].1, "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    assert_eq!(c.get("save")[0].1, "3600 1 300 100 60 10000");
    assert_eq!(c.get("repl-diskless-sync")[0].1, "yes");
    assert_eq!(c.get("PORT"), vec![("PORT".into(), "6379".into())]);
    assert_eq!(c.get("nosuch"), vec![]);
    let names: Vec<String> = c.get("*slave*").into_iter().map(|(n, _)| n).collect();
    for n in ["slaveof", "repl-ping-slave-period", "slave-read-only", "min-slaves-to-write", "min-slaves-max-lag", "slave-serve-stale-data", "slave-announce-ip", "slave-priority"] {
        assert!(names.contains(&n.to_string()), "{n}");
    }
    let repl: Vec<String> = c.get("repl-diskless-*").into_iter().map(|(n, _)| n).collect();
    assert_eq!(repl, vec!["repl-diskless-sync", "repl-diskless-sync-delay", "repl-diskless-sync-max-replicas", "repl-diskless-load"]);
    assert_eq!(c.get("h?").len(), 1);
    assert_eq!(c.get("[pm]ort").len(), 1);
    assert_eq!(c.get("*").len(), SPECS.len() + 8);
}

#[test]
fn aliases_and_errors() {
    let mut c = Config::default();
    c.set("slave-read-only", "NO").unwrap();
    assert!(!c.replica_read_only);
    c.set("repl-ping-slave-period", "3600").unwrap();
    assert_eq!(c.repl_ping_replica_period, 3600);
    c.set("min-slaves-to-write", "2").unwrap();
    assert_eq!(c.get("min-replicas-to-write")[0].1, "2");
    assert_eq!(c.set("foo", "1").unwrap_err(), "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    assert_eq!(c.set("replica-read-only", "maybe").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'replica-read-only') - argument must be 'yes' or 'no'");
    assert_eq!(c.set("slave-read-only", "x").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'");
    assert_eq!(c.set("repl-timeout", "0").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'repl-timeout') - argument must be between 1 and 2147483647 inclusive");
    assert_eq!(c.set("repl-timeout", "abc").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'repl-timeout') - argument couldn't be parsed into an integer");
    assert_eq!(c.set("repl-backlog-size", "1tb").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be a memory value");
    assert_eq!(c.set("repl-backlog-size", "0").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive");
    assert_eq!(c.set("replicaof", "127.0.0.1 6379").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config");
    assert_eq!(c.set("dir", "/tmp").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
    assert_eq!(c.set("repl-diskless-load", "sometimes").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'repl-diskless-load') - argument(s) must be one of the following: disabled, on-empty-db, swapdb");
    assert_eq!(c.set("client-output-buffer-limit", "replica 1mb 512kb").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.");
    assert_eq!(c.set("save", "0 1").unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters");
    assert_eq!(
        c.set_pairs(&[("hz", "20"), ("hz", "30")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"
    );
    // all-or-nothing
    assert!(c.set_pairs(&[("repl-timeout", "5"), ("appendonly", "bad")]).is_err());
    assert_eq!(c.repl_timeout, 60);
    c.set("client-output-buffer-limit", "replica 1mb 512kb 10").unwrap();
    assert_eq!(c.get("client-output-buffer-limit")[0].1, "normal 0 0 0 slave 1048576 524288 10 pubsub 33554432 8388608 60");
    c.set("save", "").unwrap();
    assert_eq!(c.get("save")[0].1, "");
    c.set("masterauth", "secret").unwrap();
    assert_eq!(c.masterauth.as_deref(), Some("secret"));
    c.set("masterauth", "").unwrap();
    assert_eq!(c.masterauth, None);
    c.set("hz", "1000").unwrap();
    assert_eq!(c.hz, 500);
}

#[test]
fn command_line() {
    let c = Config::from_args(&s(&["--port", "6380", "--replicaof", "127.0.0.1", "6379", "--repl-backlog-size", "16kb", "--save", "", "--appendonly", "no"])).unwrap();
    assert_eq!(c.port, 6380);
    assert_eq!(c.replicaof, Some(("127.0.0.1".into(), 6379)));
    assert_eq!(c.repl_backlog_size, 16384);
    assert!(c.save.is_empty());
    let c = Config::from_args(&s(&["--replicaof", "127.0.0.1 6379", "--slaveof", "10.0.0.1 7000"])).unwrap();
    assert_eq!(c.replicaof, Some(("10.0.0.1".into(), 7000)));
    let c = Config::from_args(&s(&["--save", "--port", "7000", "--client-output-buffer-limit", "replica 1mb 512kb 10"])).unwrap();
    assert!(c.save.is_empty());
    assert_eq!(c.port, 7000);
    assert_eq!(c.client_output_buffer_limit[1].hard_bytes, 1 << 20);
    let c = Config::from_args(&s(&["--port 7001", "--repl-backlog-size", "1"])).unwrap();
    assert_eq!((c.port, c.repl_backlog_size), (7001, 1));
    let e = Config::from_args(&s(&["--port", "abc"])).unwrap_err();
    assert!(e.ends_with(">>> 'port \"abc\"'\nargument couldn't be parsed into an integer"), "{e}");
    let e = Config::from_args(&s(&["--nosuch", "1"])).unwrap_err();
    assert!(e.ends_with("Bad directive or wrong number of arguments"));
    assert!(Config::from_args(&s(&["--port", "1", "2"])).unwrap_err().ends_with("wrong number of arguments"));
    assert!(Config::from_args(&s(&["--replicaof", "h", "99999"])).unwrap_err().ends_with("Invalid master port"));
    assert_eq!(split_args(r#"a "b c" 'd' "\x41\n""#), Some(s(&["a", "b c", "d", "A\n"])));
    assert_eq!(split_args("\"unterminated"), None);
}
