//! Docker's `filters` query parameter: a JSON object of key → values, written either as
//! `{"label": ["a=b"]}` or (older clients) `{"label": {"a=b": true}}`.

use super::error::ApiError;

/// The `(key, value)` pairs of a `filters` parameter, in order.
pub fn parse(filters: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let Some(text) = filters.filter(|t| !t.is_empty()) else {
        return Ok(Vec::new());
    };
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("invalid filter: {e}")))?;
    let Some(map) = v.as_object() else {
        return Err(ApiError::bad_request("invalid filter: not a JSON object"));
    };
    let mut out = Vec::new();
    for (key, values) in map {
        match values {
            serde_json::Value::Array(a) => {
                for x in a {
                    let s = x.as_str().ok_or_else(|| {
                        ApiError::bad_request(format!("invalid filter: {key}: not a string"))
                    })?;
                    out.push((key.clone(), s.to_string()));
                }
            }
            serde_json::Value::Object(o) => {
                for (x, on) in o {
                    if on.as_bool() == Some(true) {
                        out.push((key.clone(), x.clone()));
                    }
                }
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "invalid filter: {key}: not a list of values"
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let pairs = |v: Vec<(&str, &str)>| -> Vec<(String, String)> {
            v.into_iter().map(|(a, b)| (a.into(), b.into())).collect()
        };
        assert_eq!(parse(None).unwrap(), vec![]);
        assert_eq!(
            parse(Some(r#"{"label":["a=b","c"],"status":["running"]}"#)).unwrap(),
            pairs(vec![
                ("label", "a=b"),
                ("label", "c"),
                ("status", "running")
            ])
        );
        assert_eq!(
            parse(Some(r#"{"dangling":{"true":true,"false":false}}"#)).unwrap(),
            pairs(vec![("dangling", "true")])
        );
        assert_eq!(parse(Some("[1]")).unwrap_err().status, 400);
        assert_eq!(parse(Some("{")).unwrap_err().status, 400);
        assert_eq!(parse(Some(r#"{"a":[1]}"#)).unwrap_err().status, 400);
    }
}
