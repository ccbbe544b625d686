//! Deserializers for values Meta sends either as JSON numbers and booleans or as
//! strings (the App Dashboard "Test" form sends every property as a string), for
//! fields whose Rust type stays a plain number, boolean or string.
//!
//! Numbers follow one rule: a JSON number or a string holding one is read, while
//! `null`, absence and text that is not a number of the field's type give `None`, so
//! a bad count never loses the event. Flags are stricter, like [`page::flag`]: text
//! that is not a boolean is an error rather than a silent `false`.
//!
//! [`page::flag`]: super::page::flag

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected, Visitor};

use super::Number;

/// A JSON number or a string holding one, read as a finite `f64`.
pub(super) fn option_f64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    Ok(Option::<Number>::deserialize(deserializer)?
        .and_then(|n| n.as_f64())
        .filter(|v| v.is_finite()))
}

/// A JSON number or a string holding one, read as `i64`.
pub(super) fn option_i64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Number>::deserialize(deserializer)?.and_then(|n| n.as_i64()))
}

/// A JSON number or a string holding one, read as `u32`.
pub(super) fn option_u32<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u32>, D::Error> {
    Ok(Option::<Number>::deserialize(deserializer)?
        .and_then(|n| n.as_u64())
        .and_then(|n| u32::try_from(n).ok()))
}

/// A string kept as sent, or any other JSON value (a number, a boolean ...) as its
/// JSON text: `12.4` gives `"12.4"`. `null` and absence give `None`.
pub(super) fn option_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(text)) => Some(text),
            Some(other) => Some(other.to_string()),
        },
    )
}

/// A boolean sent as `true`/`false`, `"true"`/`"false"`, `1`/`0` or `"1"`/`"0"` (the
/// forms routing reads `is_echo` in). `null`, absence and `""` give `None`.
pub(super) fn option_bool<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    deserializer.deserialize_option(BoolVisitor)
}

/// [`option_bool`], with `false` for `null`, absence and `""`: for flags Meta
/// leaves out when false.
pub(super) fn bool_or_false<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(option_bool(deserializer)?.unwrap_or(false))
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean: true or false, as a boolean, a string, or 1 or 0")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<bool>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<bool>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<bool>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<bool>, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<bool>, E> {
        match v {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<bool>, E> {
        match v {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::invalid_value(Unexpected::Signed(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<bool>, E> {
        match v.trim() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Flags {
        #[serde(default, deserialize_with = "bool_or_false")]
        plain: bool,
        #[serde(default, deserialize_with = "option_bool")]
        optional: Option<bool>,
    }

    fn flags(json: &str) -> Result<(bool, Option<bool>), serde_json::Error> {
        serde_json::from_str::<Flags>(json).map(|f| (f.plain, f.optional))
    }

    #[test]
    fn booleans_as_booleans_strings_or_zero_one() {
        for yes in ["true", r#""true""#, "1", r#""1""#] {
            let json = format!(r#"{{"plain":{yes},"optional":{yes}}}"#);
            assert_eq!(flags(&json).unwrap(), (true, Some(true)), "{json}");
        }
        for no in ["false", r#""false""#, "0", r#""0""#] {
            let json = format!(r#"{{"plain":{no},"optional":{no}}}"#);
            assert_eq!(flags(&json).unwrap(), (false, Some(false)), "{json}");
        }
        assert_eq!(flags("{}").unwrap(), (false, None));
        assert_eq!(
            flags(r#"{"plain":null,"optional":null}"#).unwrap(),
            (false, None)
        );
        assert_eq!(
            flags(r#"{"plain":"","optional":""}"#).unwrap(),
            (false, None)
        );
        for bad in [r#""yes""#, "2", "-1", "1.0", "[]"] {
            let json = format!(r#"{{"plain":{bad}}}"#);
            assert!(flags(&json).is_err(), "{json}");
        }
    }

    #[derive(Debug, Deserialize)]
    struct Numbers {
        #[serde(default, deserialize_with = "option_f64")]
        f: Option<f64>,
        #[serde(default, deserialize_with = "option_i64")]
        i: Option<i64>,
        #[serde(default, deserialize_with = "option_u32")]
        u: Option<u32>,
        #[serde(default, deserialize_with = "option_text")]
        t: Option<String>,
    }

    #[test]
    fn numbers_as_numbers_or_strings() {
        let n: Numbers = serde_json::from_str(r#"{"f":"45.5","i":"-1","u":"4","t":12.4}"#).unwrap();
        assert_eq!(
            (n.f, n.i, n.u, n.t.as_deref()),
            (Some(45.5), Some(-1), Some(4), Some("12.4"))
        );
        let n: Numbers = serde_json::from_str(r#"{"f":45.5,"i":-1,"u":4,"t":"12.40"}"#).unwrap();
        assert_eq!(
            (n.f, n.i, n.u, n.t.as_deref()),
            (Some(45.5), Some(-1), Some(4), Some("12.40"))
        );
        let n: Numbers = serde_json::from_str(r#"{"f":"NaN","i":"many","u":-4,"t":null}"#).unwrap();
        assert_eq!((n.f, n.i, n.u, n.t), (None, None, None, None));
        let n: Numbers = serde_json::from_str(r#"{"u":"4294967296","t":true}"#).unwrap();
        assert_eq!((n.u, n.t.as_deref()), (None, Some("true")));
    }
}
