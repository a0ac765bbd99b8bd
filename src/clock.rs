//! Times as berth stores and shows them: nanoseconds since the Unix epoch, RFC 3339 with
//! nanoseconds as Docker's JSON writes them. A leaf: it imports nothing of berth.

/// Now, in nanoseconds since the Unix epoch (0 if the clock is before it).
pub fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// A time in nanoseconds as Docker's JSON writes it; 0 (never) is Go's zero time.
pub fn rfc3339_nanos(t: i64) -> String {
    if t == 0 {
        return "0001-01-01T00:00:00Z".into();
    }
    chrono::DateTime::from_timestamp(t / 1_000_000_000, (t % 1_000_000_000) as u32)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
        .unwrap_or_default()
}
