//! Writing to stdout and stderr without panicking: `println!` panics when the reader has gone
//! (`podplay explain pod.yaml | head`); podplay just stops writing instead.

use std::io::Write;

/// Writes `text` to standard output; a closed pipe or full disk is not an error worth a panic.
pub fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Writes `text` and a newline to standard error.
pub fn err(text: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(text.as_bytes());
    let _ = e.write_all(b"\n");
}
