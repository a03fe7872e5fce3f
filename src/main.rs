//! `replscope`: the native command-line scenario runner.

use std::process::ExitCode;

const USAGE: &str = "usage: replscope run FILE|-    run a scenario script and print its transcript
       replscope --version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") | Some("-V") => {
            println!("replscope {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
