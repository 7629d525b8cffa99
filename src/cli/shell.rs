//! Commands suggested to the user, written so a shell reads them right.

use std::path::Path;

/// A path or text as one word for a POSIX shell: as it is when it is
/// plain, else in single quotes (a quote inside written as '\'').
pub fn sh(value: &Path) -> String {
    let text = value.to_string_lossy();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=,+@%".contains(c));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
