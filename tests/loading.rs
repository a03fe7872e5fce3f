//! Loading a big RDB takes time (`server.loading`): the server answers
//! `-LOADING` to most commands meanwhile, INFO shows the progress, a
//! loading replica keeps its master link alive with newlines, and the page
//! can draw frames between the chunks. The expected strings and fields are
//! those a real redis-server 7.0.15 printed while loading a 2M-key file.

mod common;
use common::World;
use replscope::engine::loading::{LOADING_INTERVAL_BYTES, LOAD_BYTES_PER_MS};

const LOADING: &str = "(error) LOADING Redis is loading the dataset in memory";

/// A master with `keys` keys (about 29 bytes of RDB each) and an empty node on 6380.
fn populated(keys: u64, master_opts: &str) -> World {
    let mut w = World::new(21);
    w.run(&format!("node 6379 {master_opts}\n6379> DEBUG POPULATE {keys} key 16\nnode 6380"));
    w
}

/// Steps the world until `port` is loading (and no longer than 10 virtual minutes).
fn until_loading(w: &mut World, port: u16) {
    let deadline = w.runner.sim.now + 600_000;
    while !w.runner.sim.node(port).expect("running").is_loading() {
        assert!(w.runner.sim.now < deadline, "{port} never started loading");
        w.runner.sim.step();
    }
}

#[test]
fn a_replica_loading_a_big_full_sync_answers_loading_and_reports_progress() {
    // About 0.5 s of loading: each command below waits out one 2 MB chunk.
    let mut w = populated(1_000_000, "--repl-diskless-sync no");
    w.run("6380> REPLICAOF 127.0.0.1 6379");
    until_loading(&mut w, 6380);
    assert_eq!(w.run("6380> PING"), LOADING);
    assert_eq!(w.run("6380> DBSIZE"), LOADING);
    assert_eq!(w.run("6380> REPLICAOF NO ONE"), LOADING);
    assert_eq!(w.run("6380> ROLE").lines().nth(3), Some("4) \"sync\""), "ROLE has the loading flag");
    // One INFO (each command waits out the chunk being parsed).
    let info = w.run("6380> INFO");
    let f = |name: &str| info.lines().find_map(|l| l.strip_prefix(&format!("{name}:"))).unwrap_or_else(|| panic!("no {name} in {info}")).to_string();
    let n = |name: &str| f(name).parse::<i64>().expect("number");
    assert_eq!(f("loading"), "1");
    assert_eq!(f("master_sync_in_progress"), "1");
    assert_eq!(f("master_link_status"), "down");
    let total = n("loading_total_bytes");
    assert_eq!(n("master_sync_total_bytes"), total, "a `$<len>` transfer");
    assert_eq!(n("master_sync_left_bytes"), 0);
    assert_eq!(f("master_sync_perc"), "100.00");
    let loaded = n("loading_loaded_bytes");
    assert!(loaded > 0 && loaded < total, "{loaded} of {total}");
    assert!(n("loading_rdb_used_mem") > total, "the file's used-mem aux field");
    assert_eq!(f("loading_eta_seconds"), "1", "Redis's fake figure in the first second");
    assert!(n("rdb_last_load_keys_loaded") > 0);
    assert!(f("db0").starts_with("keys="), "the keyspace counts the keys read so far");
    // MULTI/EXEC: a refused command fails the transaction (writes get
    // READONLY first: processCommand checks that before loading).
    w.run("6380> MULTI");
    assert_eq!(w.run("6380> SET a 1"), "(error) READONLY You can't write against a read only replica.");
    assert_eq!(w.run("6380> GET a"), LOADING);
    assert_eq!(w.run("6380> EXEC"), "(error) EXECABORT Transaction discarded because of previous errors.");

    w.run("wait 1s");
    assert_eq!(w.info(6380, "loading"), "0");
    assert!(!w.run("6380> INFO persistence").contains("loading_total_bytes"));
    assert_eq!(w.run("6380> DBSIZE"), "(integer) 1000000");
    assert_eq!(w.info(6380, "rdb_last_load_keys_loaded"), "1000000");
    assert_eq!(w.info(6380, "master_link_status"), "up");
}

#[test]
fn the_load_takes_virtual_time_in_chunks_and_frames_can_run_between_them() {
    let mut w = populated(300_000, "--repl-diskless-sync no");
    w.run("6380> REPLICAOF 127.0.0.1 6379");
    until_loading(&mut w, 6380);
    let started = w.runner.sim.now;
    let total = w.runner.sim.node(6380).expect("replica").loading.as_ref().expect("loading").total_bytes;
    let mut chunks = 0;
    while w.runner.sim.node(6380).expect("replica").is_loading() {
        w.runner.sim.step();
        chunks += 1;
    }
    let took = w.runner.sim.now - started;
    let expect = total / LOAD_BYTES_PER_MS;
    assert!(took.abs_diff(expect) <= 2, "took {took} ms of virtual time, expected about {expect}");
    assert!(chunks as u64 >= total / LOADING_INTERVAL_BYTES as u64, "{chunks} steps for {total} bytes");
    let log = w.log(6380);
    let at = |needle: &str| log.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("no {needle:?} in {log:#?}"));
    assert!(at("Loading DB in memory") < at("RDB memory usage when created") && at("RDB memory usage when created") < at("Done loading RDB, keys loaded: 300000, keys expired: 0."));
    assert!(at("Done loading RDB") < at("MASTER <-> REPLICA sync: Finished with success"));
}

#[test]
fn writes_streamed_during_the_load_are_applied_after_it() {
    let mut w = populated(300_000, "--repl-diskless-sync no");
    w.run("6380> REPLICAOF 127.0.0.1 6379");
    until_loading(&mut w, 6380);
    w.run("6379> SET during-load 1\n6379> INCR during-load");
    assert_eq!(w.run("6380> GET during-load"), LOADING);
    w.run("wait 2s");
    assert_eq!(w.run("6380> GET during-load"), "\"2\"");
    assert_eq!(w.info(6380, "slave_repl_offset"), w.info(6379, "master_repl_offset"));
}

#[test]
fn a_loading_replica_keeps_its_link_alive_with_newlines() {
    // 2.5M keys take about 1.2 s to load; with repl-timeout 1 the master
    // would drop a replica silent that long, but the newlines refresh it.
    let mut w = populated(2_500_000, "--repl-diskless-sync no --repl-timeout 1");
    w.run("6380> REPLICAOF 127.0.0.1 6379");
    until_loading(&mut w, 6380);
    w.run("wait 3s");
    assert!(!w.logged(6379, "Disconnecting timedout replica"), "{:#?}", w.log(6379));
    assert_eq!(w.info(6380, "master_link_status"), "up");
    assert_eq!(w.run("6380> DBSIZE"), "(integer) 2500000");
}

#[test]
fn a_restart_loads_dump_rdb_over_time_and_says_how_long_it_took() {
    let mut w = populated(300_000, "");
    w.run("6379> SAVE\nstop 6379\nstart 6379");
    assert!(w.runner.sim.node(6379).expect("master").is_loading());
    assert!(!w.logged(6379, "Ready to accept connections"), "not ready while loading");
    assert_eq!(w.run("6379> GET key:1"), LOADING);
    assert_eq!(w.info(6379, "loading"), "1");
    assert_eq!(w.run("6379> SHUTDOWN SAVE"), "", "SHUTDOWN works while loading");
    assert!(w.runner.sim.node(6379).is_none());
    // It did not save half a dataset: the next start loads every key.
    w.run("start 6379\nwait 1s");
    assert_eq!(w.run("6379> DBSIZE"), "(integer) 300000");
    let log = w.log(6379);
    let took = log.iter().find_map(|l| l.strip_prefix("DB loaded from disk: ")).expect("load time logged");
    let secs: f64 = took.trim_end_matches(" seconds").parse().expect("seconds");
    assert!((0.1..0.3).contains(&secs), "{took}");
    assert!(log.last().is_some_and(|l| l == "Ready to accept connections"), "{log:#?}");
}

#[test]
fn a_small_file_still_loads_at_once() {
    let mut w = populated(100, "");
    w.run("6380> REPLICAOF 127.0.0.1 6379\nwait 7s");
    let log = w.log(6380);
    assert!(log.iter().any(|l| l == "MASTER <-> REPLICA sync: Finished with success"));
    let node = w.runner.sim.node(6380).expect("replica");
    let line = |needle: &str| node.log.since(0).find(|l| l.message.contains(needle)).expect(needle).time_ms;
    assert_eq!(line("Loading DB in memory"), line("Finished with success"));
}

#[test]
fn debug_reload_keeps_the_replication_id_and_noflush_duplicates_are_fatal() {
    let mut w = World::new(22);
    w.run("node 6379\nnode 6380 --replicaof 127.0.0.1 6379\nwait 7s\n6379> SET a 1");
    let replid = w.info(6379, "master_replid");
    assert_eq!(w.run("6379> DEBUG RELOAD"), "OK");
    assert_eq!(w.info(6379, "master_replid"), replid);
    assert_eq!(w.info(6379, "connected_slaves"), "1", "the replica stays connected");
    assert!(w.logged(6379, "DB reloaded by DEBUG RELOAD"));
    assert_eq!(w.run("6379> DEBUG RELOAD NOFLUSH"), "", "no reply: the server is gone");
    assert!(w.runner.sim.node(6379).is_none());
    assert!(w.runner.sim.is_stopped(6379));
}

#[test]
fn info_persistence_lists_the_fields_of_7_0_15_in_order_and_counts_saves() {
    // The field names redis-server 7.0.15 printed (not loading).
    const REAL: &[&str] = &[
        "loading", "async_loading", "current_cow_peak", "current_cow_size", "current_cow_size_age", "current_fork_perc",
        "current_save_keys_processed", "current_save_keys_total", "rdb_changes_since_last_save", "rdb_bgsave_in_progress",
        "rdb_last_save_time", "rdb_last_bgsave_status", "rdb_last_bgsave_time_sec", "rdb_current_bgsave_time_sec", "rdb_saves",
        "rdb_last_cow_size", "rdb_last_load_keys_expired", "rdb_last_load_keys_loaded", "aof_enabled", "aof_rewrite_in_progress",
        "aof_rewrite_scheduled", "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec", "aof_last_bgrewrite_status",
        "aof_rewrites", "aof_rewrites_consecutive_failures", "aof_last_write_status", "aof_last_cow_size",
        "module_fork_in_progress", "module_fork_last_cow_size",
    ];
    let mut w = populated(300_000, "--repl-diskless-sync no");
    let text = w.run("6379> INFO persistence");
    let names: Vec<&str> = text.lines().filter_map(|l| l.split_once(':').map(|(k, _)| k)).collect();
    assert_eq!(names, REAL);
    assert_eq!(w.info(6379, "rdb_last_bgsave_time_sec"), "-1", "no child has run");
    w.run("6379> SAVE");
    assert_eq!(w.info(6379, "rdb_saves"), "1");
    // A disk-based full sync forks a BGSAVE: counted, timed, in progress meanwhile.
    w.run("6380> REPLICAOF 127.0.0.1 6379");
    while w.runner.sim.node(6379).expect("master").child.is_none() {
        assert!(w.runner.sim.step().is_some());
    }
    assert_eq!(w.info(6379, "rdb_bgsave_in_progress"), "1");
    assert_eq!(w.info(6379, "rdb_current_bgsave_time_sec"), "0");
    w.run("wait 3s");
    assert_eq!(w.info(6379, "rdb_bgsave_in_progress"), "0");
    assert_eq!(w.info(6379, "rdb_current_bgsave_time_sec"), "-1");
    assert_eq!(w.info(6379, "rdb_last_bgsave_time_sec"), "0");
    assert_eq!(w.info(6379, "rdb_saves"), "2");
}
