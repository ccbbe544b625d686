//! Typed values of Meta's webhook fields: plain serde types, used through
//! [`Payload<T>`](crate::Payload).
//!
//! ```
//! use webhook_core::{on, Payload};
//! use webhook_core::fields::page::Feed;
//!
//! #[on(object = "page", field = "feed")]
//! async fn feed(Payload(post): Payload<Feed>) {
//!     println!("{} {} by {:?}", post.verb, post.item, post.from.map(|f| f.id));
//! }
//! ```
//!
//! Every type here is tolerant of Meta:
//!
//! - unknown keys are ignored (never `deny_unknown_fields`), and nearly every field is
//!   optional, since Meta omits keys freely;
//! - every enum of Meta strings has an `Other(String)` variant keeping what was sent;
//! - ids and numbers that Meta sends as strings or numbers are accepted either way
//!   ([`Id`], [`Timestamp`], [`Number`]);
//! - the raw JSON stays reachable: take [`WithRaw<T>`] (`Payload<WithRaw<Feed>>`), or a
//!   [`RawItem`](crate::RawItem) argument beside the typed one.

pub mod ad_account;
pub mod application;
pub mod catalog;
pub mod certificate_transparency;
pub mod instagram;
mod lenient;
pub mod messaging;
pub mod page;
pub mod payments;
pub mod permissions;
pub(crate) mod table;
pub mod threads;
pub mod user;
pub mod whatsapp;

pub use table::{TypedJson, typed_elements, typed_fields, typed_json};

use std::fmt;
use std::ops::Deref;

use crate::field_check::{TypedValue, ValueOf};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

/// Declares an enum of Meta strings with an `Other(String)` variant for values
/// added after this crate was written.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $text, "`")] $variant, )+
            /// A value this crate does not know yet, as sent.
            Other(String),
        }

        impl $name {
            /// The string Meta sends.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(&*text))
            }
        }
    };
}
pub(crate) use string_enum;

/// An id Meta sends as a string or as a JSON number, kept as the text sent (ids
/// exceed 2^53, so they are never read through a float).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Id(pub String);

impl Id {
    /// The id's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id, as a string or an integer")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// A Unix time Meta sends as a number or as a string of digits, in seconds or
/// milliseconds depending on the product; kept as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// The number as sent.
    #[must_use]
    pub fn raw(self) -> u64 {
        self.0
    }

    /// Unix seconds, reading numbers above 10^11 as milliseconds.
    #[must_use]
    pub fn unix_seconds(self) -> u64 {
        crate::payload::unix_seconds(self.0)
    }
}

/// Reads what [`Number`] reads, as an unsigned integer, without going through its
/// text (every typed Meta payload holds a few of these).
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;
        fn not_a_time<E: de::Error>(text: impl fmt::Display) -> E {
            E::custom(format!("`{text}` is not a Unix time"))
        }
        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or a string holding one")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                let text = v.trim();
                text.parse().map(Timestamp).map_err(|_| not_a_time(text))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                u64::try_from(v).map(Timestamp).map_err(|_| not_a_time(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                // As `Number` keeps it: its text, which is an integer only for whole values.
                self.visit_str(&v.to_string())
            }
        }
        deserializer.deserialize_any(TimestampVisitor)
    }
}

/// A number Meta may send as a JSON number or a string (prices, counts, scores),
/// kept as its text so that nothing is lost; read it with the accessors.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Number(pub String);

impl Number {
    /// As an unsigned integer, if it is one.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// As a signed integer, if it is one.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// As a float, if it is a number at all.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        self.0.parse().ok()
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or a string holding one")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                Ok(Number(v.trim().to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v.to_string()))
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}

/// A typed value together with its raw JSON, exactly as received:
/// `Payload(WithRaw { value, raw }): Payload<WithRaw<Feed>>`.
#[derive(Debug, Clone)]
pub struct WithRaw<T> {
    /// The typed value.
    pub value: T,
    /// The JSON it was read from, unknown keys included.
    pub raw: Box<RawValue>,
}

impl<'de, T: de::DeserializeOwned> Deserialize<'de> for WithRaw<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let value = serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
        Ok(Self { value, raw })
    }
}

/// `WithRaw<T>` comes from wherever `T` does.
impl<T: TypedValue> TypedValue for WithRaw<T> {}

impl<F, T: ValueOf<F>> ValueOf<F> for WithRaw<T> {}

impl<T> Deref for WithRaw<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

#[cfg(test)]
#[allow(
    unreachable_pub,
    reason = "the test enum is declared as the macro declares public ones"
)]
mod tests {
    use super::*;

    string_enum! {
        /// A test enum.
        pub enum Colour { Red = "red", LightBlue = "light-blue" }
    }

    #[test]
    fn string_enums_keep_unknown_values() {
        let v: Vec<Colour> = serde_json::from_str(r#"["red","light-blue","ultraviolet"]"#).unwrap();
        assert_eq!(
            v,
            [
                Colour::Red,
                Colour::LightBlue,
                Colour::Other("ultraviolet".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"["red","light-blue","ultraviolet"]"#
        );
    }

    #[test]
    fn ids_numbers_and_times_from_strings_or_numbers() {
        let ids: Vec<Id> =
            serde_json::from_str(r#"["17841400000000001", 153125381133999999, -5]"#).unwrap();
        assert_eq!(
            ids,
            [
                Id("17841400000000001".into()),
                Id("153125381133999999".into()),
                Id("-5".into())
            ]
        );
        let t: Vec<Timestamp> =
            serde_json::from_str(r#"[1700000000, "1700000000", 1700000000123]"#).unwrap();
        assert_eq!(
            t.iter().map(|t| t.unix_seconds()).collect::<Vec<_>>(),
            [1_700_000_000; 3]
        );
        assert!(serde_json::from_str::<Timestamp>(r#""2024-08-09T18:00:00+0000""#).is_err());
        let n: Vec<Number> = serde_json::from_str(r#"["0.0085", 12, -1, 1.5]"#).unwrap();
        assert_eq!(n[0].as_f64(), Some(0.0085));
        assert_eq!(
            (n[1].as_u64(), n[2].as_i64(), n[3].as_f64()),
            (Some(12), Some(-1), Some(1.5))
        );
    }

    #[test]
    fn with_raw_keeps_unknown_keys() {
        #[derive(Deserialize)]
        struct Small {
            a: u8,
        }
        let w: WithRaw<Small> = serde_json::from_str(r#"{"a":1,"future":{"x":[1,2]}}"#).unwrap();
        assert_eq!(w.a, 1);
        assert_eq!(w.raw.get(), r#"{"a":1,"future":{"x":[1,2]}}"#);
    }

    #[test]
    fn timestamps_read_exactly_what_numbers_read() {
        let through_number = |json: &str| -> Result<Timestamp, String> {
            let n: Number = serde_json::from_str(json).map_err(|e| e.to_string())?;
            n.as_u64()
                .map(Timestamp)
                .ok_or_else(|| format!("`{}` is not a Unix time", n.0))
        };
        for json in [
            "1732700000",
            "1732700000123",
            "0",
            "18446744073709551615",
            "18446744073709551616",
            "-5",
            "1732700000.0",
            "1.5",
            "1e3",
            r#""1527459824""#,
            r#"" 1527459824 ""#,
            r#""soon""#,
            r#""-1""#,
            "true",
            "null",
            "[1]",
            "{}",
        ] {
            let direct = serde_json::from_str::<Timestamp>(json).map_err(|e| e.to_string());
            match (direct, through_number(json)) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{json}"),
                (Err(a), Err(b)) => {
                    // serde_json appends a position to custom errors; compare the message.
                    let message =
                        |e: &str| e.split(" at line").next().unwrap_or_default().to_owned();
                    assert_eq!(message(&a), message(&b), "{json}");
                }
                (a, b) => panic!("{json}: direct {a:?}, through Number {b:?}"),
            }
        }
    }
}
