//! The same seed and script always give the same transcript, byte for byte.
//! The scripts come from the simulation tests' generator (`tests/sim/`),
//! which also checks convergence and the other invariants.

mod sim;

use replscope::engine::scenario::run_script;

#[test]
fn one_hundred_generated_scripts_each_run_twice_give_identical_transcripts() {
    for seed in 0..100 {
        let mut script = sim::generator::generate(seed).script();
        for p in sim::generator::ports(&sim::generator::generate(seed).lines) {
            script += &format!("{p}> INFO replication\n{p}> DBSIZE\nlog {p}\n");
        }
        let a = run_script(&script).expect("valid script");
        let b = run_script(&script).expect("valid script");
        assert!(a == b, "seed {seed} diverged:\n{script}");
        assert!(a.contains("# Replication"), "seed {seed} produced a transcript");
    }
}

#[test]
fn different_seeds_give_different_replication_ids() {
    let a = run_script("seed 1\nnode 6379\n6379> INFO replication").unwrap();
    let b = run_script("seed 2\nnode 6379\n6379> INFO replication").unwrap();
    assert_ne!(a, b);
}
