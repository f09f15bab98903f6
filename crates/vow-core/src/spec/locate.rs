//! Finding the line and column of a JSON pointer in JSON text, on demand.
//!
//! Large JSON documents are parsed by serde_json alone, which keeps no positions; when a problem must
//! be shown, this scanner walks the text once, without building values, until it reaches the pointer.

use crate::contract::Position;

/// Where the value at `pointer` (for an object member: its key) starts in `text`, if the text is
/// well-formed JSON and holds that pointer.
pub fn locate_pointer(text: &str, pointer: &str) -> Option<Position> {
    let segments: Vec<String> = if pointer.is_empty() {
        Vec::new()
    } else {
        pointer
            .strip_prefix('/')?
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect()
    };
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        at: 0,
    };
    scanner.skip_ws();
    let mut start = scanner.at;
    for segment in &segments {
        match scanner.peek()? {
            b'{' => {
                scanner.at += 1;
                loop {
                    scanner.skip_ws();
                    if scanner.peek()? == b'}' {
                        return None;
                    }
                    let key_start = scanner.at;
                    let key = scanner.string()?;
                    scanner.skip_ws();
                    scanner.expect(b':')?;
                    scanner.skip_ws();
                    if key == *segment {
                        start = key_start;
                        break;
                    }
                    scanner.skip_value()?;
                    scanner.skip_ws();
                    if scanner.peek()? == b',' {
                        scanner.at += 1;
                    }
                }
            }
            b'[' => {
                let index: usize = segment.parse().ok()?;
                scanner.at += 1;
                for _ in 0..index {
                    scanner.skip_ws();
                    scanner.skip_value()?;
                    scanner.skip_ws();
                    scanner.expect(b',')?;
                }
                scanner.skip_ws();
                start = scanner.at;
            }
            _ => return None,
        }
    }
    Some(position_at(text, start))
}

fn position_at(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line,
        column: text[line_start..offset].chars().count() + 1,
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Reads a string and returns its unescaped text.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.skip_string()?;
        serde_json::from_slice(&self.bytes[start..self.at]).ok()
    }

    fn skip_string(&mut self) -> Option<()> {
        self.expect(b'"')?;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                _ => self.at += 1,
            }
        }
    }

    /// Skips one value of any kind, counting brackets instead of recursing.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                self.at += 1;
                let mut depth = 1usize;
                while depth > 0 {
                    match self.peek()? {
                        b'"' => self.skip_string()?,
                        b'{' | b'[' => {
                            depth += 1;
                            self.at += 1;
                        }
                        b'}' | b']' => {
                            depth -= 1;
                            self.at += 1;
                        }
                        _ => self.at += 1,
                    }
                }
                Some(())
            }
            _ => {
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.at += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "{\n  \"a\": {\"b\": [1, {\"c\": \"x\"}]},\n  \"d~/e\": [true, null, \"s\"]\n}";

    #[test]
    fn finds_members_and_elements() {
        assert_eq!(
            locate_pointer(TEXT, "/a"),
            Some(Position { line: 2, column: 3 })
        );
        assert_eq!(
            locate_pointer(TEXT, "/a/b/1/c"),
            Some(Position {
                line: 2,
                column: 19
            })
        );
        assert_eq!(
            locate_pointer(TEXT, "/d~0~1e/2"),
            Some(Position {
                line: 3,
                column: 24
            })
        );
        assert_eq!(locate_pointer(TEXT, "/zzz"), None);
        assert_eq!(locate_pointer(TEXT, "/a/b/9"), None);
    }
}
