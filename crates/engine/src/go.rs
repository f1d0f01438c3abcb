//! Go's formatting, as Kubernetes' messages print values: `%q` for strings, `%s` for string
//! slices, and `time.Duration` both ways (`5m0s`). Every module that reproduces a Go message
//! uses these, so each is done one way.

use k8s_openapi::jiff::SignedDuration;

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

/// Go's `time.ParseDuration`: an optional sign, then one or more decimal numbers (with an optional
/// fraction) each followed by a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`), e.g. `5m0s`,
/// `1m20s`, `300ms`, `1.5h`. `"0"` alone needs no unit. `None` where Go returns an error (missing
/// unit, unknown unit, no digits, more than Go's ~292 years).
pub fn parse_duration(s: &str) -> Option<SignedDuration> {
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(SignedDuration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let not_digit = |c: char| !c.is_ascii_digit();
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_end = rest.find(not_digit).unwrap_or(rest.len());
        let int_part = &rest[..int_end];
        rest = &rest[int_end..];
        let mut frac_part = "";
        if let Some(after_dot) = rest.strip_prefix('.') {
            let frac_end = after_dot.find(not_digit).unwrap_or(after_dot.len());
            frac_part = &after_dot[..frac_end];
            rest = &after_dot[frac_end..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_end = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        let mut nanos = whole.checked_mul(scale)?;
        // Go adds `frac * unit / scale`, truncated; 18 digits are more than a nanosecond needs.
        let (mut fraction, mut divisor) = (0u128, 1u128);
        for digit in frac_part.bytes().take(18) {
            fraction = fraction * 10 + u128::from(digit - b'0');
            divisor *= 10;
        }
        nanos = nanos.checked_add(fraction * scale / divisor)?;
        total = total.checked_add(nanos)?;
        if total > i64::MAX as u128 {
            return None;
        }
    }
    let nanos = i64::try_from(total).ok()?;
    Some(SignedDuration::from_nanos(if negative {
        -nanos
    } else {
        nanos
    }))
}

/// Go's `Duration.String`: `0s`, `300ms`, `1.5µs`, `40s`, `1m20s`, `5m0s`, `1h0m0s`.
pub fn format_duration(d: SignedDuration) -> String {
    let nanos = d.as_nanos();
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u == 0 {
        return "0s".to_string();
    }
    if u < 1_000_000_000 {
        let (unit, digits) = if u < 1_000 {
            ("ns", 0)
        } else if u < 1_000_000 {
            ("µs", 3)
        } else {
            ("ms", 6)
        };
        return format!("{sign}{}{unit}", decimal(u, digits));
    }
    let seconds = u / 1_000_000_000;
    let secs = decimal(u % 60_000_000_000, 9);
    let (hours, minutes) = (seconds / 3600, seconds / 60 % 60);
    if hours > 0 {
        format!("{sign}{hours}h{minutes}m{secs}s")
    } else if seconds >= 60 {
        format!("{sign}{minutes}m{secs}s")
    } else {
        format!("{sign}{secs}s")
    }
}

/// `v / 10^digits` printed with its fraction, trailing zeros (and a bare point) dropped.
fn decimal(v: u128, digits: u32) -> String {
    let scale = 10u128.pow(digits);
    let (whole, fraction) = (v / scale, v % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0width$}", width = digits as usize);
    format!("{whole}.{}", fraction.trim_end_matches('0'))
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
