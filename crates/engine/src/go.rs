//! Go's formatting, as Kubernetes' messages print values: `%q` for strings and `%s` for string
//! slices. Every module that reproduces a Go message uses these, so quoting is done one way.

/// Go's `%q` (`strconv.Quote`) for a string: double quotes, Go escapes for `"`, `\` and
/// control characters, printable Unicode kept as is.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                if (c as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%s` (or `%v`) of a `[]string`: space-separated inside brackets, `[a b]`.
pub fn string_list<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("[{}]", inner.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_as_strconv_quote_does() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("tab\tnl\n\u{7}"), r#""tab\tnl\n\a""#);
        assert_eq!(quote("\u{1}\u{7f}"), r#""\x01\x7f""#);
        assert_eq!(quote("café"), r#""café""#);
    }

    #[test]
    fn string_lists_print_space_separated_in_brackets() {
        assert_eq!(string_list(&["a", "b"]), "[a b]");
        assert_eq!(string_list::<&str>(&[]), "[]");
    }
}
