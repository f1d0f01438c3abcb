//! Resource quantities as apimachinery reads and prints them
//! (staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go): enough of `ParseQuantity`,
//! `Cmp`, `MilliValue` and the canonical `String()` for validation messages such as
//! `must be less than or equal to cpu limit of 500m`.
//!
//! A value is held exactly as a count of nano-units (10^-9), which is the precision Kubernetes
//! rounds every quantity up to. Values beyond what 128 bits hold in nano-units (about 10^29)
//! are treated as unparseable.

use std::cmp::Ordering;

/// How a quantity prints, mirroring `resource.Format`: chosen by the suffix it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `e3`, `E-6`: a decimal exponent.
    DecimalExponent,
    /// `Ki`, `Mi`, ...: powers of 1024.
    BinarySi,
    /// `m`, `k`, `M`, ... or no suffix.
    DecimalSi,
}

/// A parsed `resource.Quantity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

const NANOS_PER_UNIT: i128 = 1_000_000_000;

fn pow(base: i128, exp: u32) -> Option<i128> {
    base.checked_pow(exp)
}

/// Ceiling division away from zero for a positive denominator.
fn div_round_up(n: i128, d: i128) -> i128 {
    let q = n / d;
    if n % d != 0 {
        if n > 0 {
            q + 1
        } else {
            q - 1
        }
    } else {
        q
    }
}

impl Quantity {
    /// Mirrors `ParseQuantity`: `[+-]digits[.digits][suffix]`, with suffixes `n u m k M G T P E`,
    /// `Ki Mi Gi Ti Pi Ei` or a decimal exponent `e<n>`/`E<n>`. Returns `None` where Go returns
    /// an error (the API server then rejects the whole request at decoding, before validation).
    pub fn parse(s: &str) -> Option<Quantity> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let b = s.as_bytes();
        let mut pos = 0;
        let mut positive = true;
        match b[0] {
            b'-' => {
                positive = false;
                pos += 1;
            }
            b'+' => pos += 1,
            _ => {}
        }
        let int_start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        let int_part = &s[int_start..pos];
        let mut frac_part = "";
        if pos < b.len() && b[pos] == b'.' {
            pos += 1;
            let frac_start = pos;
            while pos < b.len() && b[pos].is_ascii_digit() {
                pos += 1;
            }
            frac_part = &s[frac_start..pos];
        }
        if int_part.is_empty() && frac_part.is_empty() && pos <= int_start {
            return None;
        }
        let suffix = &s[pos..];
        // Go's grammar: suffix letters from [eEinumkKMGTP]*, then an optional sign and digits.
        {
            let sb = suffix.as_bytes();
            let mut i = 0;
            while i < sb.len() && b"eEinumkKMGTP".contains(&sb[i]) {
                i += 1;
            }
            if i < sb.len() && (sb[i] == b'-' || sb[i] == b'+') {
                i += 1;
            }
            while i < sb.len() && sb[i].is_ascii_digit() {
                i += 1;
            }
            if i != sb.len() {
                return None;
            }
        }
        let (base, exponent, format): (i128, i64, Format) = match suffix {
            "" => (10, 0, Format::DecimalSi),
            "n" => (10, -9, Format::DecimalSi),
            "u" => (10, -6, Format::DecimalSi),
            "m" => (10, -3, Format::DecimalSi),
            "k" => (10, 3, Format::DecimalSi),
            "M" => (10, 6, Format::DecimalSi),
            "G" => (10, 9, Format::DecimalSi),
            "T" => (10, 12, Format::DecimalSi),
            "P" => (10, 15, Format::DecimalSi),
            "E" => (10, 18, Format::DecimalSi),
            "Ki" => (2, 10, Format::BinarySi),
            "Mi" => (2, 20, Format::BinarySi),
            "Gi" => (2, 30, Format::BinarySi),
            "Ti" => (2, 40, Format::BinarySi),
            "Pi" => (2, 50, Format::BinarySi),
            "Ei" => (2, 60, Format::BinarySi),
            other if other.len() > 1 && (other.starts_with('e') || other.starts_with('E')) => {
                let exp: i64 = other[1..].parse().ok()?;
                (10, exp, Format::DecimalExponent)
            }
            _ => return None,
        };
        // digits = int_part ++ frac_part, value = digits / 10^len(frac) * base^exponent.
        let mut digits: i128 = 0;
        for c in int_part.bytes().chain(frac_part.bytes()) {
            digits = digits.checked_mul(10)?.checked_add(i128::from(c - b'0'))?;
        }
        let frac_len = u32::try_from(frac_part.len()).ok()?;
        let mut numerator = digits.checked_mul(NANOS_PER_UNIT)?;
        let mut denominator = pow(10, frac_len)?;
        if exponent >= 0 {
            numerator = numerator.checked_mul(pow(base, u32::try_from(exponent).ok()?)?)?;
        } else {
            denominator = denominator.checked_mul(pow(base, u32::try_from(-exponent).ok()?)?)?;
        }
        let mut nanos = div_round_up(numerator, denominator);
        if !positive {
            nanos = -nanos;
        }
        Some(Quantity { nanos, format })
    }

    /// The value in nano-units (10^-9), rounded up as Kubernetes rounds.
    pub fn nanos(&self) -> i128 {
        self.nanos
    }

    /// Mirrors `Cmp`.
    pub fn cmp_value(&self, other: &Quantity) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }

    /// Whether the quantity is below zero.
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// Mirrors `MilliValue`: the value in thousandths, rounded up.
    pub fn milli_value(&self) -> i128 {
        div_round_up(self.nanos, 1_000_000)
    }

    /// The value in whole units, if it is whole.
    pub fn whole_units(&self) -> Option<i128> {
        (self.nanos % NANOS_PER_UNIT == 0).then_some(self.nanos / NANOS_PER_UNIT)
    }

    /// Mirrors `String()` / `CanonicalizeBytes`: decimal values print with the largest SI suffix
    /// (or `e<n>` exponent) that keeps an integer mantissa, binary values with the largest
    /// power-of-1024 suffix that divides them, falling back to decimal below 1024 or for
    /// fractions.
    pub fn canonical(&self) -> String {
        if self.nanos == 0 {
            return "0".to_string();
        }
        let mut format = self.format;
        if format == Format::BinarySi {
            let small = self.nanos > -1024 * NANOS_PER_UNIT && self.nanos < 1024 * NANOS_PER_UNIT;
            if small || self.whole_units().is_none() {
                format = Format::DecimalSi;
            }
        }
        let sign = if self.nanos < 0 { "-" } else { "" };
        let abs = self.nanos.abs();
        if format == Format::BinarySi {
            let mut units = abs / NANOS_PER_UNIT;
            let mut exp = 0;
            while exp < 6 && units % 1024 == 0 {
                units /= 1024;
                exp += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exp];
            return format!("{sign}{units}{suffix}");
        }
        // Decimal: mantissa * 10^exponent with all factors of ten removed, then the exponent
        // lowered to a multiple of three.
        let mut mantissa = abs;
        let mut exponent: i64 = -9;
        while mantissa % 10 == 0 {
            mantissa /= 10;
            exponent += 1;
        }
        let extra = exponent.rem_euclid(3);
        exponent -= extra;
        for _ in 0..extra {
            mantissa *= 10;
        }
        let suffix = match format {
            Format::DecimalExponent => {
                if exponent == 0 {
                    String::new()
                } else {
                    format!("e{exponent}")
                }
            }
            _ => match exponent {
                -9 => "n".to_string(),
                -6 => "u".to_string(),
                -3 => "m".to_string(),
                0 => String::new(),
                3 => "k".to_string(),
                6 => "M".to_string(),
                9 => "G".to_string(),
                12 => "T".to_string(),
                15 => "P".to_string(),
                18 => "E".to_string(),
                other => format!("e{other}"),
            },
        };
        format!("{sign}{mantissa}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;

    fn canon(s: &str) -> String {
        Quantity::parse(s)
            .map(|q| q.canonical())
            .unwrap_or_else(|| "<error>".to_string())
    }

    #[test]
    fn canonical_forms_match_apimachinery() {
        // Cases from quantity_test.go::TestQuantityParse / TestQuantityString.
        assert_eq!(canon("0.5"), "500m");
        assert_eq!(canon("1000m"), "1");
        assert_eq!(canon("1500"), "1500");
        assert_eq!(canon("2000"), "2k");
        assert_eq!(canon("1Gi"), "1Gi");
        assert_eq!(canon("1024Mi"), "1Gi");
        assert_eq!(canon("1.5Gi"), "1536Mi");
        assert_eq!(canon("0.5Ki"), "512");
        assert_eq!(canon("1e3"), "1e3");
        assert_eq!(canon("12e2"), "1200");
        assert_eq!(canon("100m"), "100m");
        assert_eq!(canon("-1"), "-1");
        assert_eq!(canon("0"), "0");
        assert_eq!(canon("1n"), "1n");
        assert_eq!(canon("abc"), "<error>");
        assert_eq!(canon("1Xi"), "<error>");
    }
}
