//! Replication behaviour of the engine, one test per mechanism, checked
//! against the offsets, replies and log lines of redis-server 7.0.15.

mod common;
use common::{synced, World};

#[test]
fn first_sync_by_replicaof_is_a_full_resync_after_the_diskless_delay() {
    let mut w = World::new(1);
    w.run("node 6379\nnode 6380\n6380> REPLICAOF 127.0.0.1 6379\nwait 4s");
    assert!(w.log(6380).iter().any(|l| l.starts_with("Trying a partial resynchronization (request ") && l.ends_with(":1).")), "runtime REPLICAOF offers its own replid at offset 1");
    assert_eq!(w.info(6380, "master_link_status"), "down", "still waiting for the delayed BGSAVE");
    assert_eq!(w.info(6379, "slave0").split(',').nth(2), Some("state=wait_bgsave"));
    w.run("wait 2s");
    assert_eq!(w.info(6380, "master_link_status"), "up");
    assert!(w.logged(6379, "Replication ID mismatch"));
    assert!(w.logged(6379, "Delay next BGSAVE for diskless SYNC"));
    assert!(w.logged(6379, "Starting BGSAVE for SYNC with target: replicas sockets"));
    assert!(w.logged(6380, "Full resync from master: "));
    assert!(w.logged(6380, "MASTER <-> REPLICA sync: Finished with success"));
    assert_eq!(w.info_num(6379, "sync_full"), 1);
    assert_eq!(w.info_num(6379, "sync_partial_err"), 1);
    assert_eq!(w.info(6379, "master_replid"), w.info(6380, "master_replid"));
}

#[test]
fn replicaof_at_startup_without_rdb_sends_psync_question_mark() {
    let mut w = World::new(2);
    w.run("node 6379\nnode 6380 --replicaof 127.0.0.1 6379\nwait 7s");
    assert!(w.logged(6380, "Partial resynchronization not possible (no cached master)"));
    assert!(w.logged(6379, "Full resync requested by replica 127.0.0.1:6380"));
    assert_eq!(w.info_num(6379, "sync_partial_err"), 0);
    assert_eq!(w.info(6379, "master_repl_offset"), w.info(6380, "slave_repl_offset"));
}

#[test]
fn the_master_replid_changes_when_the_first_replica_attaches() {
    let mut w = World::new(3);
    w.run("node 6379");
    let before = w.info(6379, "master_replid");
    assert_eq!(w.info(6379, "repl_backlog_active"), "0");
    w.run("node 6380 --replicaof 127.0.0.1 6379\nwait 7s");
    assert_ne!(w.info(6379, "master_replid"), before);
    assert_eq!(w.info(6379, "repl_backlog_first_byte_offset"), "1");
}

#[test]
fn offsets_grow_by_the_resp_size_of_each_propagated_write() {
    let mut w = synced(&[6380], "");
    let base = w.info_num(6379, "master_repl_offset");
    let step = |w: &mut World, cmd: &str, delta: i64| {
        let before = w.info_num(6379, "master_repl_offset");
        w.run(&format!("6379> {cmd}"));
        assert_eq!(w.info_num(6379, "master_repl_offset") - before, delta, "{cmd}");
    };
    step(&mut w, "SET hello redis", 58);
    step(&mut w, "SET hello redis", 35);
    step(&mut w, "INCR counter", 27);
    step(&mut w, "DEL hello", 24);
    step(&mut w, "DEL hello", 0);
    step(&mut w, "EXPIRE counter 100", 52);
    step(&mut w, "SET k v EX 100", 57);
    step(&mut w, "INCRBYFLOAT f 1.5", 42);
    step(&mut w, "GET k", 0);
    assert_eq!(w.info_num(6379, "master_repl_offset") - base, 295);
    w.run("wait 2s");
    assert_eq!(w.info(6380, "slave_repl_offset"), w.info(6379, "master_repl_offset"));
    assert_eq!(w.run("6380> GET f"), "\"1.5\"");
}

#[test]
fn writes_in_another_database_are_preceded_by_select() {
    let mut w = synced(&[6380], "");
    w.run("6379> SELECT 1");
    let before = w.info_num(6379, "master_repl_offset");
    w.run("6379> SET a b");
    w.run("6379> SELECT 0\n6379> SET a b");
    assert_eq!(w.info_num(6379, "master_repl_offset") - before, 100, "23+27 twice");
    w.run("wait 1s");
    assert_eq!(w.run("6380> SELECT 1\n6380> GET a"), "\"b\"");
}

#[test]
fn lazy_expiry_inside_a_write_is_wrapped_in_multi_exec() {
    let mut w = synced(&[6380], "");
    w.run("6379> DEBUG SET-ACTIVE-EXPIRE 0");
    let before = w.info_num(6379, "master_repl_offset");
    w.run("6379> SET foo bar px 100\n6379> SET foo2 bar px 100");
    assert_eq!(w.info_num(6379, "master_repl_offset") - before, 23 + 61 + 62);
    w.run("wait 200ms");
    let a = w.info_num(6379, "master_repl_offset");
    assert_eq!(w.run("6379> GET foo"), "(nil)");
    assert_eq!(w.info_num(6379, "master_repl_offset") - a, 22, "a read's lazy expiry propagates a bare DEL");
    assert_eq!(w.run("6379> SET foo2 new"), "OK");
    assert_eq!(w.info_num(6379, "master_repl_offset") - a - 22, 84, "MULTI 15 + DEL 23 + SET 32 + EXEC 14");
    w.run("wait 1s");
    assert_eq!(w.run("6380> GET foo2"), "\"new\"");
}

#[test]
fn partial_resync_after_short_disconnect() {
    let mut w = synced(&[6380], "");
    w.run("6379> SET hello redis\n6379> INCR counter\nwait 2s");
    let off = w.info_num(6379, "master_repl_offset");
    w.run("kill 6379 6380");
    for i in 1..=5 {
        w.run(&format!("6379> set key{i} val{i}"));
    }
    w.run("wait 1s");
    assert!(w.logged(6379, "Connection with replica 127.0.0.1:6380 lost."));
    assert!(w.logged(6380, "Connection with master lost."));
    assert!(w.logged(6380, "Caching the disconnected master state."));
    let replid = w.info(6379, "master_replid");
    assert!(w.logged(6380, &format!("Trying a partial resynchronization (request {replid}:{})", off + 1)));
    assert!(w.logged(6379, &format!("accepted. Sending 165 bytes of backlog starting from offset {}.", off + 1)));
    assert!(w.logged(6380, "Successful partial resynchronization with master."));
    assert_eq!(w.info_num(6379, "sync_partial_ok"), 1);
    assert_eq!(w.run("6380> GET key5"), "\"val5\"");
}

#[test]
fn full_resync_when_offset_left_the_backlog() {
    let mut w = synced(&[6380], "--repl-backlog-size 16kb");
    w.run("6379> SET hello redis\nwait 2s\ncut 6379 6380\nkill 6379 6380");
    let value = "x".repeat(1000);
    for i in 1..=40 {
        w.run(&format!("6379> set key{i} {value}"));
    }
    assert_eq!(w.info(6379, "repl_backlog_first_byte_offset"), "20441");
    w.run("heal 6379 6380\nwait 7s");
    assert!(w.logged(6379, "Unable to partial resync with replica 127.0.0.1:6380 for lack of backlog (Replica request was: 59)."));
    let replid = w.info(6379, "master_replid");
    assert!(w.logged(6380, &format!("Full resync from master: {replid}:41369")), "same replid, current offset");
    assert_eq!(w.info_num(6379, "sync_full"), 2);
    assert_eq!(w.info(6380, "master_link_status"), "up");
}

#[test]
fn more_than_the_backlog_size_written_can_still_resync_partially() {
    // 7.0 trims whole 20440-byte blocks: 16 KiB + a little stays available.
    let mut w = synced(&[6380], "--repl-backlog-size 16kb");
    w.run("6379> SET hello redis\nwait 2s\nkill 6379 6380");
    let value = "y".repeat(1000);
    for i in 1..=17 {
        w.run(&format!("6379> set k{i:02} {value}"));
    }
    let written = w.info_num(6379, "master_repl_offset") - 58;
    assert!(written > 16384, "wrote {written} bytes, more than repl-backlog-size");
    w.run("wait 1s");
    assert!(w.logged(6379, "Partial resynchronization request from 127.0.0.1:6380 accepted."));
    assert_eq!(w.info_num(6379, "sync_full"), 1);
}

#[test]
fn promoted_replica_serves_partial_resync_to_siblings() {
    let mut w = synced(&[6380, 6381], "");
    w.run("6379> SET a 1\nwait 1s\n6380> REPLICAOF NO ONE");
    assert!(w.logged(6380, "Setting secondary replication ID to "));
    assert!(w.logged(6380, "valid up to offset: 51. New replication ID is "));
    w.run("6381> REPLICAOF 127.0.0.1 6380\n6379> REPLICAOF 127.0.0.1 6380\nwait 1s");
    assert_eq!(w.count_logged(6380, "accepted. Sending 0 bytes of backlog starting from offset 51."), 2);
    assert!(w.logged(6381, "Master replication ID changed to "));
    for p in [6379, 6380, 6381] {
        assert_eq!(w.info(p, "second_repl_offset"), "51", "node {p}");
        assert_eq!(w.info(p, "master_replid"), w.info(6380, "master_replid"));
    }
    assert_eq!(w.info_num(6380, "sync_full"), 0);
    w.run("6380> SET b 2\nwait 1s");
    assert_eq!(w.run("6379> GET b"), "\"2\"");
}

#[test]
fn replica_restarted_with_its_rdb_resyncs_partially() {
    let mut w = synced(&[6380], "");
    w.run("6379> SET a 1\nwait 2s\nrestart 6380 save");
    w.run("6379> SET b 2\nwait 2s");
    let log = w.log(6380);
    assert!(log.iter().any(|l| l.starts_with("Trying a partial resynchronization (request ") && l.ends_with(":51).")), "{log:#?}");
    assert!(w.logged(6379, "Sending 27 bytes of backlog starting from offset 51."));
    assert_eq!(w.info(6380, "master_replid2"), "0000000000000000000000000000000000000000");
    assert_eq!(w.run("6380> GET b"), "\"2\"");
}

#[test]
fn replica_restarted_without_save_resumes_from_the_rdb_of_its_last_full_sync() {
    // The full sync left dump.rdb (repl-diskless-load disabled) with the
    // master's replid at offset 0: the backlog still covers offset 1.
    let mut w = synced(&[6380], "");
    w.run("6379> SET a 1\nwait 2s\nrestart 6380 nosave\nwait 2s");
    assert!(w.logged(6379, "Sending 50 bytes of backlog starting from offset 1."));
    assert_eq!(w.run("6380> GET a"), "\"1\"");
}

#[test]
fn replica_restarted_with_an_empty_disk_needs_a_full_sync() {
    let mut w = synced(&[6380], "");
    w.run("6379> SET a 1\nwait 2s\nrestart 6380 empty\nwait 7s");
    assert!(w.logged(6380, "Partial resynchronization not possible (no cached master)"));
    assert_eq!(w.info_num(6379, "sync_full"), 2);
    assert_eq!(w.run("6380> GET a"), "\"1\"");
}

#[test]
fn master_restarted_with_rdb_lets_replicas_resync_partially() {
    let mut w = synced(&[6380, 6381], "");
    w.run("6379> SET a 1\nwait 2s\nrestart 6379 save\nwait 3s");
    assert_eq!(w.info_num(6379, "sync_full"), 0);
    assert_eq!(w.info_num(6379, "sync_partial_ok"), 2);
    assert_eq!(w.info(6379, "second_repl_offset"), "51");
    assert_eq!(w.info(6379, "repl_backlog_first_byte_offset"), "51");
    assert_eq!(w.count_logged(6379, "accepted. Sending 0 bytes of backlog starting from offset 51."), 2);
}

#[test]
fn master_restarted_without_save_makes_replicas_full_sync_and_lose_data() {
    let mut w = synced(&[6380], "");
    w.run("6379> SET a 1\n6379> SAVE\n6379> SET b 2\nwait 2s");
    assert_eq!(w.run("6380> GET b"), "\"2\"");
    w.run("restart 6379 nosave\nwait 8s");
    // The old RDB's replid became replid2, but only up to its saved offset.
    assert!(w.logged(6379, "Partial resynchronization not accepted: Requested offset for second ID was 78, but I can reply up to 51"));
    assert_eq!(w.run("6380> GET a"), "\"1\"", "what the old RDB had");
    assert_eq!(w.run("6380> GET b"), "(nil)", "written after the save: lost on the replica too");
}

#[test]
fn replica_moved_to_an_unrelated_master_flushes_its_data() {
    let mut w = synced(&[6380], "");
    w.run("6379> SET a 1\nwait 1s\nnode 7000\n7000> SET other 1\n6380> REPLICAOF 127.0.0.1 7000\nwait 7s");
    assert_eq!(w.run("6380> GET a"), "(nil)");
    assert_eq!(w.run("6380> GET other"), "\"1\"");
}

#[test]
fn sub_replicas_receive_the_proxied_stream() {
    let mut w = synced(&[6380], "");
    w.run("node 6381 --replicaof 127.0.0.1 6380 --repl-ping-replica-period 3600\nwait 7s");
    w.run("6379> SET deep 1\nwait 1s");
    assert_eq!(w.run("6381> GET deep"), "\"1\"");
    assert_eq!(w.info(6381, "master_repl_offset"), w.info(6379, "master_repl_offset"));
    assert_eq!(w.info(6381, "master_replid"), w.info(6379, "master_replid"));
}

#[test]
fn wrong_masterauth_fails_the_handshake_and_retries() {
    let mut w = World::new(5);
    w.run("node 6379 --requirepass secret\nnode 6380 --replicaof 127.0.0.1 6379 --masterauth wrong\nwait 3s");
    assert!(w.logged(6380, "Unable to AUTH to MASTER: WRONGPASS invalid username-password pair or user is disabled."));
    assert!(w.count_logged(6380, "Connecting to MASTER 127.0.0.1:6379") >= 2, "retried every second");
    w.run("6380> CONFIG SET masterauth secret\nwait 7s");
    assert_eq!(w.info(6380, "master_link_status"), "up");
}

#[test]
fn writes_to_a_read_only_replica_are_refused() {
    let mut w = synced(&[6380], "");
    assert_eq!(w.run("6380> SET k v"), "(error) READONLY You can't write against a read only replica.");
    assert_eq!(w.run("6380> GET k"), "(nil)");
}

#[test]
fn min_replicas_to_write_refuses_writes_without_good_replicas() {
    let mut w = synced(&[6380], "--min-replicas-to-write 1 --min-replicas-max-lag 10");
    assert_eq!(w.run("6379> SET k v"), "OK");
    w.run("cut 6379 6380\nwait 12s");
    assert_eq!(w.run("6379> SET k v"), "(error) NOREPLICAS Not enough good replicas to write.");
    assert_eq!(w.info(6379, "min_slaves_good_slaves"), "0");
}

#[test]
fn replicas_hide_expired_keys_but_keep_them_until_the_master_deletes() {
    let mut w = synced(&[6380], "");
    w.run("6379> SET foo bar px 100\nwait 50ms");
    w.run("cut 6379 6380\nwait 200ms");
    assert_eq!(w.run("6380> GET foo"), "(nil)");
    assert_eq!(w.run("6380> EXISTS foo"), "(integer) 0");
    assert_eq!(w.run("6380> PTTL foo"), "(integer) -2");
    assert_eq!(w.run("6380> DBSIZE"), "(integer) 1", "still there until the DEL arrives");
    w.run("heal 6379 6380\nwait 1s");
    assert_eq!(w.run("6380> DBSIZE"), "(integer) 0");
}

#[test]
fn wait_sends_getack_and_counts_acknowledged_replicas() {
    let mut w = synced(&[6380], "");
    let before = w.info_num(6379, "master_repl_offset");
    w.run("6379> SET w 1");
    assert_eq!(w.run("6379> WAIT 1 1000"), "(integer) 1");
    assert_eq!(w.info_num(6379, "master_repl_offset") - before, 27 + 23 + 37, "SELECT + SET + GETACK");
    w.run("cut 6379 6380\n6379> SET w 2");
    assert_eq!(w.run("6379> WAIT 1 500"), "(integer) 0");
    assert_eq!(w.run("6380> WAIT 1 0").split(' ').nth(1), Some("ERR"));
}

#[test]
fn master_pings_replicas_every_period_in_the_stream() {
    let mut w = World::new(6);
    w.run("node 6379 --repl-ping-replica-period 1\nnode 6380 --replicaof 127.0.0.1 6379\nwait 7s");
    let a = w.info_num(6379, "master_repl_offset");
    w.run("wait 5s");
    assert_eq!(w.info_num(6379, "master_repl_offset") - a, 5 * 14);
}

#[test]
fn a_silent_partition_longer_than_repl_timeout_trips_both_sides() {
    let mut w = synced(&[6380], "--repl-timeout 5");
    w.run("6380> CONFIG SET repl-timeout 5\ncut 6379 6380\nwait 8s");
    assert!(w.logged(6379, "Disconnecting timedout replica (streaming sync): 127.0.0.1:6380"));
    assert!(w.logged(6380, "MASTER timeout: no data nor PING received..."));
    w.run("wait 10s");
    assert!(w.logged(6380, "Timeout connecting to the MASTER..."));
    w.run("heal 6379 6380\nwait 8s");
    assert_eq!(w.info(6380, "master_link_status"), "up");
}

#[test]
fn a_short_cut_heals_without_any_resync() {
    let mut w = synced(&[6380], "");
    w.run("cut 6379 6380\n6379> SET during cut\nwait 3s\nheal 6379 6380\nwait 1s");
    assert_eq!(w.run("6380> GET during"), "\"cut\"");
    assert_eq!(w.info_num(6379, "sync_full"), 1);
    assert_eq!(w.info_num(6379, "sync_partial_ok"), 0);
}

#[test]
fn disk_based_sync_sends_the_rdb_with_its_length() {
    let mut w = World::new(7);
    w.run("node 6379 --repl-diskless-sync no\n6379> SET a 1\nnode 6380 --replicaof 127.0.0.1 6379\nwait 2s");
    assert!(w.logged(6379, "Starting BGSAVE for SYNC with target: disk"));
    assert!(w.logged(6379, "Background saving terminated with success"));
    let log = w.log(6380);
    assert!(log.iter().any(|l| l.starts_with("MASTER <-> REPLICA sync: receiving ") && l.ends_with(" bytes from master to disk")), "{log:#?}");
    assert_eq!(w.run("6380> GET a"), "\"1\"");
}

#[test]
fn output_buffer_overflow_closes_the_replica_and_it_resyncs_again() {
    let mut w = synced(&[6380], "--client-output-buffer-limit \"replica 64kb 32kb 10\" --repl-backlog-size 16kb");
    w.run("link 6379 6380 bandwidth 10kb");
    let value = "z".repeat(10_000);
    for i in 0..40 {
        w.run(&format!("6379> SET big{i} {value}"));
    }
    assert!(w.logged(6379, "scheduled to be closed ASAP for overcoming of output buffer limits."));
    assert!(w.logged(6379, "Connection with replica 127.0.0.1:6380 lost."));
}
