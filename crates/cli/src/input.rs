//! Reading the files a user names: a path, or `-` for standard input, as UTF-8 text.

use std::io::Read;
use std::path::Path;

/// The text of `file`, or kubectl's wording of why it cannot be read.
pub fn read(file: &Path) -> Result<String, String> {
    let mut bytes = Vec::new();
    let read = if file.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(file).map(|b| bytes = b)
    };
    if let Err(e) = read {
        return Err(format!(
            "the path \"{}\" cannot be read: {e}",
            file.display()
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "error parsing {}: not UTF-8 text (invalid byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// How kubectl names a source in messages: the path as given, `STDIN` for `-`.
pub fn source_name(file: &Path) -> String {
    if file.as_os_str() == "-" {
        "STDIN".to_string()
    } else {
        file.display().to_string()
    }
}
