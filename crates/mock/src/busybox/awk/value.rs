//! awk's values and their conversions: `my_strtod`, `fmt_num`, `istrue`, and the C
//! `printf` conversions `awk_printf` hands to libc.

/// A value (`var`): never set, a number, a string, or a string from input ("user" string:
/// it compares as a number when it looks like one).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Val {
    #[default]
    Uninit,
    Num(f64),
    Str(String),
    StrNum(String),
}

/// `my_strtod` over a prefix of `s`: the number and how many bytes it used. With `radix`,
/// `0x1A` is hex and `017` octal, as busybox reads them.
pub fn strtod_prefix(s: &str, radix: bool) -> (f64, usize) {
    let b = s.as_bytes();
    if radix && b.first() == Some(&b'0') {
        let c = b.get(1).map(|c| c | 0x20);
        if c == Some(b'x') {
            let mut i = 2;
            let mut v = 0f64;
            while i < b.len() && b[i].is_ascii_hexdigit() {
                v = v * 16.0 + (b[i] as char).to_digit(16).unwrap_or(0) as f64;
                i += 1;
            }
            return if i == 2 { (0.0, 1) } else { (v, i) };
        }
        if b.get(1).is_some_and(|c| c.is_ascii_digit()) {
            let mut i = 1;
            let mut v = 0f64;
            while i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                v = v * 8.0 + (b[i] - b'0') as f64;
                i += 1;
            }
            if !b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
                return (v, i);
            }
        }
    }
    // strtod: blanks, sign, digits, fraction, exponent; inf and nan.
    let mut i = 0;
    while i < b.len() && (b[i] as char).is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let lower: String = s[i..]
        .chars()
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    for (word, val) in [
        ("infinity", f64::INFINITY),
        ("inf", f64::INFINITY),
        ("nan", f64::NAN),
    ] {
        if lower.starts_with(word) {
            let neg = b.get(start) == Some(&b'-');
            let v = if neg { -val } else { val };
            return (v, i + word.len());
        }
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut mant = i - digits_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        mant += i - f;
    }
    if mant == 0 {
        return (0.0, 0);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    (s[start..i].parse().unwrap_or(0.0), i)
}

/// A string's numeric value (`getvar_i`).
pub fn str_num(s: &str) -> f64 {
    strtod_prefix(s, true).0
}

/// Whether a user string is all number (`is_numeric` with `VF_USER`): blanks may follow.
///
/// As `getvar_i` decides it: what follows the number (or, when there is none, the whole
/// string) must be blanks, so `" "` counts as the number 0 and `""` does not.
pub fn looks_numeric(s: &str) -> bool {
    let (_, used) = strtod_prefix(s, true);
    !s.is_empty() && s[used..].chars().all(|c| c == ' ' || c == '\t')
}

impl Val {
    pub fn num(&self) -> f64 {
        match self {
            Val::Uninit => 0.0,
            Val::Num(n) => *n,
            Val::Str(s) | Val::StrNum(s) => str_num(s),
        }
    }

    /// Whether comparisons treat it as a number.
    pub fn is_numeric(&self) -> bool {
        match self {
            Val::Uninit | Val::Num(_) => true,
            Val::Str(_) => false,
            Val::StrNum(s) => looks_numeric(s),
        }
    }

    /// `istrue`.
    pub fn truthy(&self) -> bool {
        if self.is_numeric() {
            self.num() != 0.0
        } else {
            match self {
                Val::Str(s) | Val::StrNum(s) => !s.is_empty(),
                _ => false,
            }
        }
    }

    /// The string, numbers through `fmt` (CONVFMT or OFMT).
    pub fn to_str(&self, fmt: &str) -> String {
        match self {
            Val::Uninit => String::new(),
            Val::Num(n) => fmt_num(*n, fmt),
            Val::Str(s) | Val::StrNum(s) => s.clone(),
        }
    }
}

/// `fmt_num`: an integral value as `%lld`, anything else through the format.
pub fn fmt_num(n: f64, fmt: &str) -> String {
    if n.fract() == 0.0 && n.abs() < 9.2e18 {
        return format!("{}", n as i64);
    }
    match sprintf(fmt, &[Val::Num(n)], "%.6g") {
        Ok(s) => s,
        Err(_) => format_g(n, 6, false, false),
    }
}

/// A conversion's flags, width and precision.
#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    prec: Option<usize>,
}

fn pad(body: String, spec: &Spec, numeric: bool) -> String {
    let len = body.chars().count();
    if len >= spec.width {
        return body;
    }
    let fill = spec.width - len;
    if spec.minus {
        return format!("{body}{}", " ".repeat(fill));
    }
    if spec.zero && numeric {
        // Zeros go after the sign (and 0x).
        let (sign, digits) = match body.chars().next() {
            Some(c @ ('-' | '+' | ' ')) => (c.to_string(), body[1..].to_string()),
            _ => (String::new(), body.clone()),
        };
        if digits.chars().all(|c| c.is_ascii_alphabetic()) {
            // inf, nan: no zeros.
            return format!("{}{body}", " ".repeat(fill));
        }
        return format!("{sign}{}{digits}", "0".repeat(fill));
    }
    format!("{}{body}", " ".repeat(fill))
}

fn sign_of(neg: bool, spec: &Spec) -> &'static str {
    if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

fn nonfinite(v: f64, upper: bool, spec: &Spec) -> String {
    let word = if v.is_nan() { "nan" } else { "inf" };
    let word = if upper {
        word.to_ascii_uppercase()
    } else {
        word.to_string()
    };
    format!(
        "{}{word}",
        sign_of(v.is_sign_negative() && !v.is_nan(), spec)
    )
}

/// `%e` digits: mantissa with `prec` decimals and the exponent.
fn exp_parts(v: f64, prec: usize) -> (String, i32) {
    let s = format!("{:.*e}", prec, v.abs());
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    (m.to_string(), e.parse().unwrap_or(0))
}

fn exp_text(m: &str, e: i32, upper: bool) -> String {
    let sign = if e < 0 { '-' } else { '+' };
    let ch = if upper { 'E' } else { 'e' };
    format!("{m}{ch}{sign}{:02}", e.unsigned_abs())
}

/// `%g` with `prec` significant digits.
pub fn format_g(v: f64, prec: usize, alt: bool, upper: bool) -> String {
    if !v.is_finite() {
        return nonfinite(v, upper, &Spec::default());
    }
    let p = if prec == 0 { 1 } else { prec.min(60) };
    let neg = v.is_sign_negative() && v != 0.0;
    let body = if v == 0.0 {
        if alt {
            format!("{:.*}", p - 1, 0.0)
        } else {
            "0".into()
        }
    } else {
        let (_, x) = exp_parts(v, p - 1);
        if x < -4 || x >= p as i32 {
            let (m, e) = exp_parts(v, p - 1);
            let m = if alt { m } else { strip_zeros(&m) };
            exp_text(&m, e, upper)
        } else {
            let decimals = (p as i32 - 1 - x).max(0) as usize;
            let f = format!("{:.*}", decimals, v.abs());
            if alt {
                f
            } else {
                strip_zeros(&f)
            }
        }
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

fn strip_zeros(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn format_float(v: f64, conv: char, spec: &Spec) -> String {
    let upper = conv.is_ascii_uppercase();
    if !v.is_finite() {
        return pad(nonfinite(v, upper, spec), spec, false);
    }
    let prec = spec.prec.unwrap_or(6).min(60);
    let neg = v.is_sign_negative() && v != 0.0 || (v == 0.0 && v.is_sign_negative());
    let body = match conv.to_ascii_lowercase() {
        'f' => format!("{:.*}", prec, v.abs()),
        'e' => {
            let (m, e) = exp_parts(v, prec);
            exp_text(&m, e, upper)
        }
        _ => format_g(v.abs(), prec, spec.alt, upper),
    };
    pad(format!("{}{body}", sign_of(neg, spec)), spec, true)
}

fn format_int(v: f64, conv: char, spec: &Spec) -> String {
    let n: i64 = if v.is_nan() { i64::MIN } else { v as i64 };
    let (neg, mag) = match conv {
        'd' | 'i' => (n < 0, n.unsigned_abs()),
        _ => (false, n as u64),
    };
    let mut digits = match conv {
        'o' => format!("{mag:o}"),
        'x' => format!("{mag:x}"),
        'X' => format!("{mag:X}"),
        _ => mag.to_string(),
    };
    if let Some(p) = spec.prec {
        if p == 0 && mag == 0 {
            digits.clear();
        }
        while digits.len() < p.min(200) {
            digits.insert(0, '0');
        }
    }
    if spec.alt && mag != 0 {
        match conv {
            'x' => digits.insert_str(0, "0x"),
            'X' => digits.insert_str(0, "0X"),
            'o' if !digits.starts_with('0') => digits.insert(0, '0'),
            _ => {}
        }
    }
    let sign = if matches!(conv, 'd' | 'i') {
        sign_of(neg, spec)
    } else {
        ""
    };
    let mut spec = *spec;
    if spec.prec.is_some() {
        spec.zero = false;
    }
    pad(format!("{sign}{digits}"), &spec, true)
}

/// `awk_printf`: `fmt` with `args`; numbers that become strings go through `convfmt`.
/// Errors are busybox's messages.
pub fn sprintf(fmt: &str, args: &[Val], convfmt: &str) -> Result<String, String> {
    let f: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut next = 0usize;
    let arg = |next: &mut usize| -> Val {
        let v = args.get(*next).cloned().unwrap_or(Val::Uninit);
        *next += 1;
        v
    };
    while i < f.len() {
        let c = f[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        if f.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let start = i - 1;
        let mut spec = Spec::default();
        while let Some(&fl) = f.get(i) {
            match fl {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        let mut width = 0usize;
        while let Some(d) = f.get(i).and_then(|c| c.to_digit(10)) {
            width = (width * 10 + d as usize).min(10_000);
            i += 1;
        }
        spec.width = width;
        if f.get(i) == Some(&'.') {
            i += 1;
            let mut p = 0usize;
            while let Some(d) = f.get(i).and_then(|c| c.to_digit(10)) {
                p = (p * 10 + d as usize).min(10_000);
                i += 1;
            }
            spec.prec = Some(p);
        }
        // Length modifiers are skipped; `*` is refused.
        while let Some(&m) = f.get(i) {
            if m == '*' {
                return Err("%*x formats are not supported".into());
            }
            if matches!(m, 'h' | 'l' | 'L' | 'q' | 'j') {
                i += 1;
                continue;
            }
            break;
        }
        let Some(&conv) = f.get(i) else {
            // A lone `%` at the end is printed as it is.
            out.extend(&f[start..]);
            break;
        };
        i += 1;
        match conv {
            'c' => {
                let v = arg(&mut next);
                let ch = if v.is_numeric() {
                    char::from_u32(v.num() as u32 & 0xff)
                        .unwrap_or('\0')
                        .to_string()
                } else {
                    v.to_str(convfmt)
                        .chars()
                        .next()
                        .map(String::from)
                        .unwrap_or_default()
                };
                out.push_str(&pad(ch, &spec, false));
            }
            's' => {
                let v = arg(&mut next).to_str(convfmt);
                let v: String = match spec.prec {
                    Some(p) => v.chars().take(p).collect(),
                    None => v,
                };
                out.push_str(&pad(v, &spec, false));
            }
            'd' | 'i' | 'o' | 'u' | 'x' | 'X' => {
                out.push_str(&format_int(arg(&mut next).num(), conv, &spec));
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'a' | 'A' => {
                let conv = match conv {
                    'a' => 'e',
                    'A' => 'E',
                    c => c,
                };
                out.push_str(&format_float(arg(&mut next).num(), conv, &spec));
            }
            _ => return Err("Invalid format specifier".into()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_busybox_prints_them() {
        assert_eq!(fmt_num(1.0 / 3.0, "%.6g"), "0.333333");
        assert_eq!(fmt_num(1e6, "%.6g"), "1000000");
        assert_eq!(fmt_num(0.1 + 0.2, "%.6g"), "0.3");
        assert_eq!(fmt_num(1e-5, "%.6g"), "1e-05");
        assert_eq!(fmt_num(1e300 * 1e300, "%.6g"), "inf");
        assert_eq!(fmt_num(123456.7, "%.6g"), "123457");
        assert_eq!(fmt_num(1234567.5, "%.6g"), "1.23457e+06");
        assert_eq!(fmt_num(-1.0 / 3.0, "%.2f"), "-0.33");
    }

    #[test]
    fn printf_conversions_follow_c() {
        let f = |fmt: &str, args: &[Val]| sprintf(fmt, args, "%.6g").unwrap();
        assert_eq!(
            f(
                "%5.2f|%-5s|%d|%x|%c|%e|%5d|",
                &[
                    Val::Num(2.5149),
                    Val::Str("ab".into()),
                    Val::Num(42.9),
                    Val::Num(255.0),
                    Val::Num(65.0),
                    Val::Num(1234.5),
                    Val::Num(-3.0)
                ]
            ),
            " 2.51|ab   |42|ff|A|1.234500e+03|   -3|"
        );
        assert_eq!(
            f(
                "%03d|%+d|%.3s",
                &[Val::Num(7.0), Val::Num(5.0), Val::Str("abcdef".into())]
            ),
            "007|+5|abc"
        );
        assert_eq!(
            sprintf("%z", &[], "%.6g").unwrap_err(),
            "Invalid format specifier"
        );
    }

    #[test]
    fn strings_convert_as_my_strtod_reads_them() {
        assert_eq!(str_num("017"), 15.0);
        assert_eq!(str_num(" 12 "), 12.0);
        assert_eq!(str_num("1e3x"), 1000.0);
        assert_eq!(str_num("0x1A"), 26.0);
        assert_eq!(str_num(".5"), 0.5);
        assert_eq!(str_num("abc"), 0.0);
        assert!(looks_numeric(" 10 "));
        assert!(!looks_numeric("10x"));
        assert!(looks_numeric(" "));
        assert!(!looks_numeric(""));
    }
}
