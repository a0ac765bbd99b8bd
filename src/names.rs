//! Names and IDs of containers, volumes and networks: Docker's character rules, generated
//! `adjective_surname` names, random 64-hex-digit IDs. A leaf: it imports nothing of berth.

/// Docker's rule: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn is_valid(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_alphanumeric()
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
}

const ADJECTIVES: &[&str] = &[
    "agile", "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "dapper",
    "eager", "epic", "fervent", "fond", "gentle", "happy", "hardy", "jolly", "keen", "kind",
    "lucid", "merry", "mellow", "nimble", "noble", "patient", "placid", "quiet", "quirky", "rapid",
    "serene", "sharp", "silent", "snug", "steady", "sunny", "swift", "tender", "upbeat", "vivid",
    "warm", "wise", "witty", "zealous",
];

const SURNAMES: &[&str] = &[
    "agnesi",
    "archimedes",
    "babbage",
    "bohr",
    "cannon",
    "curie",
    "darwin",
    "dijkstra",
    "euler",
    "faraday",
    "fermi",
    "franklin",
    "galileo",
    "gauss",
    "goodall",
    "hamilton",
    "hopper",
    "hypatia",
    "johnson",
    "kepler",
    "knuth",
    "lamarr",
    "leavitt",
    "lovelace",
    "maxwell",
    "meitner",
    "mendel",
    "newton",
    "noether",
    "pascal",
    "pasteur",
    "planck",
    "ramanujan",
    "ritchie",
    "shannon",
    "thompson",
    "tesla",
    "turing",
    "volta",
    "wozniak",
    "yalow",
];

/// A random `adjective_surname` name; `taken` says whether a candidate is in use. After a few
/// collisions a digit is appended, as Docker does.
pub fn generate(mut taken: impl FnMut(&str) -> bool) -> String {
    let mut seed = random_u64();
    for attempt in 0..64u32 {
        let a = ADJECTIVES[(seed % ADJECTIVES.len() as u64) as usize];
        seed /= ADJECTIVES.len() as u64;
        let s = SURNAMES[(seed % SURNAMES.len() as u64) as usize];
        seed = seed.rotate_left(17) ^ random_u64();
        let name = if attempt < 8 {
            format!("{a}_{s}")
        } else {
            format!("{a}_{s}{}", seed % 10)
        };
        if !taken(&name) {
            return name;
        }
    }
    format!("berth_{:012x}", random_u64() & 0xffff_ffff_ffff)
}

/// 64 random bits from the kernel.
pub fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    // SAFETY: getrandom writes at most b.len() bytes into b.
    let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
    if n != b.len() as isize {
        // Practically unreachable; fall back to time and pid.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        return t ^ ((std::process::id() as u64) << 32);
    }
    u64::from_ne_bytes(b)
}

/// A new 64-hex-digit container ID.
pub fn new_id() -> String {
    (0..4).map(|_| format!("{:016x}", random_u64())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_name_rules() {
        for ok in ["ab", "web-1", "a.b_c", "X9"] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in ["", "a", "-ab", "_ab", "a b", "a/b", "ä1"] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn generated_names_are_valid_and_avoid_taken_ones() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let n = generate(|c| seen.contains(c));
            assert!(is_valid(&n), "{n}");
            assert!(seen.insert(n));
        }
    }

    #[test]
    fn ids_are_64_hex() {
        let id = new_id();
        assert_eq!(id.len(), 64);
        assert!(id.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(id, new_id());
    }
}
