//! What `/proc/self/mountinfo` says: whether a path is a mount point. A leaf: it imports
//! nothing of berth.

use std::fs;
use std::path::Path;

/// Is `path` a mount point (per /proc/self/mountinfo)?
pub fn is_mount_point(path: &Path) -> bool {
    let Ok(info) = fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let want = path.to_string_lossy();
    info.lines().any(|l| {
        l.split(' ')
            .nth(4)
            .map(|m| unescape(m) == want)
            .unwrap_or(false)
    })
}

/// mountinfo escapes space, tab, newline and backslash as octal `\ooo`.
pub fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescaping() {
        assert_eq!(unescape(r"/a\040b\134c"), r"/a b\c");
        assert_eq!(unescape("/plain"), "/plain");
        assert_eq!(unescape(r"/x\04"), r"/x\04");
    }

    #[test]
    fn root_is_a_mount_point_and_a_plain_directory_is_not() {
        assert!(is_mount_point(Path::new("/")));
        let dir = std::env::temp_dir().join(format!("berth-mountinfo-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let plain = is_mount_point(&dir);
        fs::remove_dir(&dir).unwrap();
        assert!(!plain);
    }
}
