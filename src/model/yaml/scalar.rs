//! What an untagged plain scalar is: YAML 1.2's core schema, with the spellings serde-saphyr
//! (which read models before this reader) also took for numbers, so that a model reads the
//! same. Only `true` and `false` are booleans: `yes`, `on` and `no` stay text.

/// The type YAML gives a plain scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    Null,
    Bool(bool),
    Number,
    Str,
}

pub fn classify(text: &str) -> Plain {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Plain::Null;
    }
    let trimmed = text.trim_matches([' ', '\t', '\r', '\n']);
    match trimmed {
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        _ => {}
    }
    // Most scalars of a model are words: neither an integer nor a float starts with a
    // letter, and this answer saves reading each one as a number twice.
    if trimmed
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
    {
        return Plain::Str;
    }
    if is_integer(trimmed) || is_float(trimmed) {
        Plain::Number
    } else {
        Plain::Str
    }
}

/// A whole number that fits 64 bits: decimal without a leading zero, or `0x`, `0o`, `0b`
/// digits, with single `_` between digits; signed when it starts with `-`.
fn is_integer(text: &str) -> bool {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = radix_and_digits(unsigned);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return false;
    }
    let Some(magnitude) = digits_value(digits, radix) else {
        return false;
    };
    if negative {
        magnitude <= i64::MAX as u128 + 1
    } else {
        magnitude <= u64::MAX as u128
    }
}

fn radix_and_digits(unsigned: &str) -> (u32, &str) {
    let prefixes = [("0x", "0X", 16), ("0o", "0O", 8), ("0b", "0B", 2)];
    for (lower, upper, radix) in prefixes {
        if let Some(digits) = unsigned
            .strip_prefix(lower)
            .or_else(|| unsigned.strip_prefix(upper))
        {
            return (radix, digits);
        }
    }
    (10, unsigned)
}

/// The digits' value, or `None` for no digits, a digit outside the radix, a `_` that does
/// not stand between two digits, or more than 128 bits.
fn digits_value(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut seen = false;
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'_' {
            let between =
                i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|&b| b != b'_');
            if !between {
                return None;
            }
            continue;
        }
        let digit = (byte as char).to_digit(radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(digit))?;
        seen = true;
    }
    seen.then_some(value)
}

/// `.inf`, `.nan` and their spellings, a finite decimal, or a numeral too large for a
/// float (`1e999`).
fn is_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return true;
    }
    // Rust also reads `inf`, `infinity` and `nan`, which YAML does not; every other float
    // starts with a digit or a point.
    if !unsigned
        .as_bytes()
        .first()
        .is_some_and(|&b| b.is_ascii_digit() || b == b'.')
    {
        return false;
    }
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => true,
        Ok(_) => unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{Plain, classify};

    #[test]
    fn yaml_1_2_core_types_and_no_more() {
        for null in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(classify(null), Plain::Null, "{null:?}");
        }
        assert_eq!(classify("true"), Plain::Bool(true));
        assert_eq!(classify("FALSE"), Plain::Bool(false));
        for text in [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "nULL",
            "tRUE",
            "inf",
            "nan",
            "2012-10-17",
        ] {
            assert_eq!(classify(text), Plain::Str, "{text:?}");
        }
        for number in [
            "0",
            "3600",
            "-5",
            "+7",
            "3600.5",
            "3.6e3",
            ".5",
            "5.",
            "1e999",
            "-.inf",
            ".NaN",
            "0x1000",
            "0o17",
            "0b101",
            "3_600",
            "022222222222",
            "999999999999999999999999",
            "-0x10",
        ] {
            assert_eq!(classify(number), Plain::Number, "{number:?}");
        }
        // Neither an integer (too large for 128 bits in hex) nor a float Rust can read.
        assert_eq!(
            classify("0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
            Plain::Str
        );
        for text in ["3__600", "_3", "3_", "0x", "0xG", "1.2.3", "12:30", "-"] {
            assert_eq!(classify(text), Plain::Str, "{text:?}");
        }
    }
}
