//! Docker's `filters` query parameter: a JSON object of key → values, written either as
//! `{"label": ["a=b"]}` or (older clients) `{"label": {"a=b": true}}`. The grammar is
//! `crate::filters`', shared with the CLI.

use super::error::ApiError;

/// The `(key, value)` pairs of a `filters` parameter, in order.
pub fn parse(filters: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    crate::filters::Filters::parse_json(filters).map_err(|e| ApiError::bad_request(e.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        assert_eq!(parse(None).unwrap(), vec![]);
        assert_eq!(
            parse(Some(r#"{"dangling":{"true":true,"false":false}}"#)).unwrap(),
            vec![("dangling".to_string(), "true".to_string())]
        );
        assert_eq!(parse(Some("[1]")).unwrap_err().status, 400);
        assert_eq!(parse(Some("{")).unwrap_err().status, 400);
        assert_eq!(parse(Some(r#"{"a":[1]}"#)).unwrap_err().status, 400);
    }
}
