//! The example scenarios in tests/scenarios/ run with `replscope run` and
//! give exactly the transcripts stored beside them (`NAME.out`). After a
//! deliberate change, regenerate them with `UPDATE_GOLDEN=1 cargo test --test scenarios`
//! and read the diff.

use std::path::Path;
use std::process::Command;

use replscope::engine::scenario::run_script;

fn scenario_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "scn")).collect();
    files.sort();
    files
}

#[test]
fn every_example_gives_its_stored_transcript() {
    let files = scenario_files();
    assert!(files.len() >= 10, "examples present");
    let update = std::env::var("UPDATE_GOLDEN").is_ok();
    for file in files {
        let script = std::fs::read_to_string(&file).unwrap();
        let transcript = run_script(&script).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let golden = file.with_extension("out");
        if update {
            std::fs::write(&golden, &transcript).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_else(|_| panic!("missing {}", golden.display()));
        if transcript != expected {
            let line = transcript.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(0);
            panic!(
                "{} differs from its golden transcript at line {}:\n  got:      {:?}\n  expected: {:?}",
                file.display(),
                line + 1,
                transcript.lines().nth(line),
                expected.lines().nth(line)
            );
        }
    }
}

#[test]
fn the_cli_prints_the_same_transcript_and_rejects_bad_scripts_with_exit_code_2() {
    let bin = env!("CARGO_BIN_EXE_replscope");
    let file = scenario_files().into_iter().next().unwrap();
    let out = Command::new(bin).arg("run").arg(&file).output().unwrap();
    assert!(out.status.success());
    let expected = std::fs::read_to_string(file.with_extension("out")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);

    let dir = std::env::temp_dir().join(format!("replscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.scn");
    std::fs::write(&bad, "node 6379\n6379> SET a 1\nwait forever\n").unwrap();
    let out = Command::new(bin).arg("run").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 3:") && err.contains("'forever' is not a duration"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
