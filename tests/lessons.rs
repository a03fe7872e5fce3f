//! Every lesson in `www/lessons/` parses, is listed in the index, and says
//! only what the engine shows: each step's scenario lines run through the
//! same `Runner` the CLI uses, and each `check` text must appear in that
//! step's transcript.

use std::fs;

use replscope::engine::lesson;
use replscope::engine::scenario::{parse_line, Runner};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/lessons");

#[test]
fn every_lesson_is_indexed_and_true_to_the_engine() {
    let index = lesson::index(&fs::read_to_string(format!("{DIR}/index.txt")).unwrap());
    let mut files: Vec<String> = fs::read_dir(DIR).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).filter(|n| n.ends_with(".lesson")).collect();
    files.sort();
    assert_eq!(index, files, "index.txt lists every lesson file");
    assert!(files.len() >= 14, "at least 14 lessons");
    let mut ids = Vec::new();
    for name in &files {
        let l = lesson::load(&fs::read_to_string(format!("{DIR}/{name}")).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(l.steps.iter().any(|s| s.question.is_some()), "{name} asks at least one question");
        ids.push(l.id.clone());
        let mut runner = Runner::new(0);
        for (i, step) in l.steps.iter().enumerate() {
            let mut transcript = String::new();
            for line in &step.run {
                let d = parse_line(line).unwrap().unwrap();
                transcript.push_str(line);
                transcript.push('\n');
                for out in runner.run(&d) {
                    transcript.push_str(&out);
                    transcript.push('\n');
                }
            }
            for check in &step.checks {
                assert!(transcript.contains(check.as_str()), "{name} step {}: '{check}' not in\n{transcript}", i + 1);
            }
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), files.len(), "lesson ids are unique");
}
