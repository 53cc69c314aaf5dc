//! PATCH bodies: a field that is absent stays as it is; `null` clears a nullable field.

use serde::{Deserialize, Deserializer};

/// For `Option<Option<T>>` fields: absent -> `None`, `null` -> `Some(None)`,
/// a value -> `Some(Some(v))`. Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Replaces `target` when the patch carries a value.
pub fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *target = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct P {
        #[serde(default, deserialize_with = "nullable")]
        x: Option<Option<u8>>,
    }

    #[test]
    fn distinguishes_absent_null_and_value() {
        assert_eq!(serde_json::from_str::<P>("{}").unwrap().x, None);
        assert_eq!(
            serde_json::from_str::<P>(r#"{"x":null}"#).unwrap().x,
            Some(None)
        );
        assert_eq!(
            serde_json::from_str::<P>(r#"{"x":3}"#).unwrap().x,
            Some(Some(3))
        );
    }
}
