//! An instruction's `--flags`, checked against the ones it accepts, with Docker's messages.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FlagType {
    Bool,
    String,
    /// May be given several times (`RUN --mount`).
    Strings,
}

pub(crate) struct Flags {
    values: Vec<(&'static str, FlagType, Vec<String>)>,
}

impl Flags {
    /// Parses `given` (each `--name[=value]`) against `allowed`.
    pub(crate) fn parse(
        given: &[String],
        allowed: &[(&'static str, FlagType)],
    ) -> Result<Flags, String> {
        let mut values: Vec<(&'static str, FlagType, Vec<String>)> =
            allowed.iter().map(|(n, t)| (*n, *t, Vec::new())).collect();
        let mut used: Vec<&'static str> = Vec::new();
        for arg in given {
            let Some(body) = arg.strip_prefix("--") else {
                return Err(format!("arg should start with -- : {arg}"));
            };
            if body.is_empty() {
                break;
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let Some(slot) = values.iter_mut().find(|(n, _, _)| *n == name) else {
                return Err(format!("unknown flag: {name}"));
            };
            if used.contains(&slot.0) && slot.1 != FlagType::Strings {
                return Err(format!("duplicate flag specified: {name}"));
            }
            used.push(slot.0);
            match slot.1 {
                FlagType::Bool => {
                    let v = match value.map(|v| v.to_ascii_lowercase()) {
                        Some(v) if v.is_empty() => {
                            return Err(format!("missing a value on flag: {name}"));
                        }
                        None => "true".to_string(),
                        Some(v) if v == "true" || v == "false" => v,
                        Some(_) => {
                            return Err(format!(
                                "expecting boolean value for flag {name}, not: {}",
                                value.unwrap_or_default()
                            ));
                        }
                    };
                    slot.2 = vec![v];
                }
                FlagType::String | FlagType::Strings => {
                    let Some(v) = value else {
                        return Err(format!("missing a value on flag: {name}"));
                    };
                    slot.2.push(v.to_string());
                }
            }
        }
        Ok(Flags { values })
    }

    fn get(&self, name: &str) -> &[String] {
        self.values
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, _, v)| v.as_slice())
            .unwrap_or(&[])
    }

    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.get(name).last().cloned()
    }

    pub(crate) fn strings(&self, name: &str) -> Vec<String> {
        self.get(name).to_vec()
    }

    pub(crate) fn bool(&self, name: &str) -> bool {
        self.get(name).last().is_some_and(|v| v == "true")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOWED: &[(&str, FlagType)] = &[
        ("from", FlagType::String),
        ("link", FlagType::Bool),
        ("mount", FlagType::Strings),
    ];

    fn parse(v: &[&str]) -> Result<Flags, String> {
        let v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        Flags::parse(&v, ALLOWED)
    }

    #[test]
    fn values() {
        let f = parse(&["--from=a", "--link", "--mount=x", "--mount=y"]).unwrap();
        assert_eq!(f.string("from").as_deref(), Some("a"));
        assert!(f.bool("link"));
        assert_eq!(f.strings("mount"), ["x", "y"]);
        assert!(!parse(&["--link=false"]).unwrap().bool("link"));
        assert!(parse(&["--link=TRUE"]).unwrap().bool("link"));
    }

    #[test]
    fn errors_as_docker() {
        let e = |v: &[&str]| parse(v).err().unwrap();
        assert_eq!(e(&["--nope=1"]), "unknown flag: nope");
        assert_eq!(e(&["--from"]), "missing a value on flag: from");
        assert_eq!(
            e(&["--from=a", "--from=b"]),
            "duplicate flag specified: from"
        );
        assert_eq!(e(&["--link="]), "missing a value on flag: link");
        assert_eq!(
            e(&["--link=yes"]),
            "expecting boolean value for flag link, not: yes"
        );
    }
}
