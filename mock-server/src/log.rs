//! Log lines carry strings clients chose (callback URLs, failure reasons); written raw, a
//! newline or an ANSI escape in one could forge a log line or repaint the terminal.

use std::fmt::{self, Write};

/// Displays a string with its control characters escaped (`\n`, `\u{1b}`) and backslashes
/// doubled, so the escapes cannot be forged either; everything else is written as it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() || c == '\\' {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_backslashes_are_escaped_and_the_rest_kept() {
        let shown = Escaped("http://h/a\nb\r\t\u{1b}[31m\u{7f}\\n é").to_string();
        assert_eq!(shown, r"http://h/a\nb\r\t\u{1b}[31m\u{7f}\\n é");
        assert_eq!(
            Escaped("plain https://x/y?z=1").to_string(),
            "plain https://x/y?z=1"
        );
    }
}
