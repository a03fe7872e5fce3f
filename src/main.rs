//! `replscope`: the native command-line scenario runner.

use std::io::Read;
use std::process::ExitCode;

use replscope::engine::scenario;

const USAGE: &str = "usage: replscope run FILE|-    run a scenario script and print its transcript
       replscope --version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["--version"] | ["-V"] => {
            println!("replscope {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        ["run", file] => run(file),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(file: &str) -> ExitCode {
    let mut script = String::new();
    let read = if file == "-" {
        std::io::stdin().read_to_string(&mut script).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|s| script = s)
    };
    if let Err(e) = read {
        eprintln!("replscope: cannot read {file}: {e}");
        return ExitCode::from(2);
    }
    match scenario::run_script(&script) {
        Ok(transcript) => {
            print!("{transcript}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("replscope: {file}: {e}");
            ExitCode::from(2)
        }
    }
}
