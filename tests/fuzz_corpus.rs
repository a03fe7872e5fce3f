//! Replays every file of the fuzz corpus (`fuzz/corpus/<target>/`) through
//! the same functions the cargo-fuzz targets call (`fuzz/harness.rs`), so
//! `cargo test` checks the corpus without a fuzzer or a nightly toolchain.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;

#[test]
fn every_corpus_file_replays_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (name, target) in harness::TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.expect("entry").path()).collect();
        files.sort();
        assert!(files.len() >= 10, "{name}: only {} corpus files", files.len());
        for file in files {
            let data = std::fs::read(&file).expect("readable corpus file");
            if std::panic::catch_unwind(|| target(&data)).is_err() {
                panic!("{name}: {} fails", file.display());
            }
        }
    }
}
