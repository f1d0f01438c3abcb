//! Any bytes a user could paste, through everything the engine does with a manifest: parsing,
//! then (for what parses) the API server's defaulting, validation and admission and kubectl's
//! views. The target fails on a panic, a hang (libFuzzer's -timeout) or runaway memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    podplay_engine::fuzzing::exercise(text);
});
