//! Simulation testing: random fault schedules with invariant checks (see
//! `tests/sim/`). The default run takes a bounded batch of seeds split over
//! two tests (one per core); the ignored tests run as many as you like or
//! replay one script:
//!
//! ```sh
//! SIM_SEEDS=100000 SIM_START=0 cargo test --release --test simulation -- --ignored many_seeds --nocapture
//! SIM_SCRIPT=failing.scn cargo test --test simulation -- --ignored replay --nocapture
//! ```

mod sim;

/// Seeds the default run covers (half in each batch test).
const DEFAULT_SEEDS: u64 = 3000;

fn batch(from: u64, to: u64) {
    match sim::run_seeds(from, to) {
        Ok(b) => eprintln!("seeds {from}..{to}: {} seeds, {} directives, {} invariant checks, all held", b.seeds, b.directives, b.checks),
        Err(report) => panic!("{report}"),
    }
}

#[test]
fn random_fault_schedules_keep_every_invariant_first_half() {
    batch(0, DEFAULT_SEEDS / 2);
}

#[test]
fn random_fault_schedules_keep_every_invariant_second_half() {
    batch(DEFAULT_SEEDS / 2, DEFAULT_SEEDS);
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `SIM_SEEDS` seeds from `SIM_START` (default: 10,000 from 1,000,000).
#[test]
#[ignore = "long: run with SIM_SEEDS=N and --ignored"]
fn many_seeds() {
    let start = env_u64("SIM_START", 1_000_000);
    let count = env_u64("SIM_SEEDS", 10_000);
    let t = std::time::Instant::now();
    batch(start, start + count);
    eprintln!("{:.1} s", t.elapsed().as_secs_f64());
}

/// Replays the script in `SIM_SCRIPT` with every invariant checked.
#[test]
#[ignore = "replays SIM_SCRIPT=FILE"]
fn replay() {
    let path = std::env::var("SIM_SCRIPT").expect("set SIM_SCRIPT to a script file");
    let script = std::fs::read_to_string(&path).expect("readable script");
    match sim::run_checked(&script) {
        Ok(checks) => eprintln!("{path}: {checks} invariant checks, all held"),
        Err(f) => panic!("{path}: invariant '{}' broke: {}", f.kind, f.detail),
    }
}

#[test]
fn the_generator_covers_every_data_command() {
    use replscope::engine::command::COMMANDS;
    let scripts: String = (0..300).map(|s| sim::generator::generate(s).script()).collect();
    for c in COMMANDS.iter().filter(|c| c.data()) {
        let needle = format!("> {} ", c.name.to_ascii_uppercase());
        let bare = format!("> {}\n", c.name.to_ascii_uppercase());
        assert!(scripts.contains(&needle) || scripts.contains(&bare), "no {} in 300 generated scripts", c.name);
    }
}

#[test]
fn shrinking_keeps_the_failure_and_drops_the_rest() {
    // A failure every candidate keeps while the bad line stays: a line
    // that does not parse.
    let scenario = sim::generator::Scenario { seed: 1, lines: vec!["node 6379".into(), "6379> SET a 1".into(), "bogus".into(), "wait 5ms".into()] };
    let f = sim::run_checked(&scenario.script()).unwrap_err();
    assert_eq!(f.kind, "script does not parse");
    let small = sim::shrink::shrink(&scenario, f.kind);
    assert_eq!(small.lines, vec!["bogus".to_string()]);
}
