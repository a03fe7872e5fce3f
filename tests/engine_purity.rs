//! The architecture rule, checked on every test run: only the wasm boundary
//! (`src/web/`) may touch the browser, and no code may read a clock or an
//! unseeded random source. The engine stays sans-IO and deterministic.

use std::fs;
use std::path::{Path, PathBuf};

/// Names that must not appear outside `src/web/`.
const FORBIDDEN: &[&str] = &[
    "wasm_bindgen",
    "web_sys",
    "js_sys",
    "std::time",
    "SystemTime",
    "Instant::now",
    "thread_rng",
    "rand::random",
    "getrandom",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `source` that use a forbidden name, ignoring comments.
fn offending_lines(source: &str) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or("");
            FORBIDDEN.iter().any(|name| code.contains(name))
        })
        .map(|(n, line)| (n + 1, line.trim().to_string()))
        .collect()
}

#[test]
fn only_the_web_boundary_touches_the_browser_clock_or_entropy() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let web = src.join("web");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() >= 3, "expected to scan the source tree, found {files:?}");
    let mut bad = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&web)) {
        let text = fs::read_to_string(file).expect("readable source");
        for (line, code) in offending_lines(&text) {
            bad.push(format!("{}:{line}: {code}", file.display()));
        }
    }
    assert!(bad.is_empty(), "browser/clock/entropy use outside src/web/:\n{}", bad.join("\n"));
}

#[test]
fn the_checker_catches_a_forbidden_import() {
    assert_eq!(offending_lines("use web_sys::Document;\n// web_sys in a comment\nfn f() {}").len(), 1);
    assert_eq!(offending_lines("let t = std::time::SystemTime::now();").len(), 1);
    assert!(offending_lines("let now = sim.now();").is_empty());
}
