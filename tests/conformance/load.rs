//! The real-side counterpart of the `load PORT RATE [SIZE]` directive: a
//! thread with its own connection writing `SET key:N <SIZE x 'x'>` with write
//! number n due at `start + n * 1000 / RATE` ms, keys cycling through 10000,
//! as the simulator's load generator does. Replies are read and discarded.
//! Limit: real time slips (a write is sent late rather than skipped while
//! the node is slow); a writer blocked for 500 ms (a SIGSTOPped node) or a
//! closed connection (stop, restart) ends the load for good.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running write load; stopped when dropped.
pub struct Load {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Load {
    /// Starts writing to the server on `port` (a real port).
    pub fn start(port: u16, rate: u64, size: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = stream.set_write_timeout(Some(Duration::from_millis(500)));
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut writer = stream;
            let start = Instant::now();
            let value = "x".repeat(size);
            let mut n: u64 = 0;
            let mut pending = 0u64;
            while !flag.load(Ordering::SeqCst) {
                let due = Duration::from_millis(n * 1000 / rate.max(1));
                let now = start.elapsed();
                if now < due {
                    std::thread::sleep((due - now).min(Duration::from_millis(20)));
                    continue;
                }
                let key = format!("key:{}", n % 10_000);
                let cmd = format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n${}\r\n{value}\r\n", key.len(), value.len());
                if writer.write_all(cmd.as_bytes()).is_err() {
                    return;
                }
                n += 1;
                pending += 1;
                // Drain replies that are already there (each is one line).
                while pending > 8 {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) => return,
                        Ok(_) => pending -= 1,
                        Err(_) => break,
                    }
                }
            }
        });
        Load { stop, thread: Some(thread) }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
