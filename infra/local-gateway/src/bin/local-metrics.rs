//! `local-metrics FILE`: follows the functions' log (`make dev` tees the gateway's output
//! there) and prints the metric summary whenever it changed, at most every 10 seconds.

use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::time::Duration;

use local_gateway::metrics_summary::Summary;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: local-metrics FILE");
        std::process::exit(2);
    };
    let mut summary = Summary::default();
    let mut offset = 0u64;
    let mut shown = String::new();
    loop {
        if let Ok(mut file) = std::fs::File::open(&path) {
            if file.metadata().map_or(0, |m| m.len()) < offset {
                offset = 0; // the log was started afresh
                summary = Summary::default();
            }
            let _ = file.seek(SeekFrom::Start(offset));
            let mut reader = BufReader::new(file);
            let mut line = String::new();
            // Whole lines only: a line still being written is read next time.
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line.ends_with('\n') {
                offset += line.len() as u64;
                summary.add_line(&line);
                line.clear();
            }
        }
        let text = summary.render();
        if text != shown {
            eprint!("{text}");
            shown = text;
        }
        std::thread::sleep(Duration::from_secs(10));
    }
}
