//! Remote build contexts (`berth build URL`, the Engine API's `remote=`), as Docker's classic
//! builder reads them:
//! - a Git repository (`https://host/repo.git`, `git://…`, `git@host:repo`, `github.com/…`),
//!   with an optional `#REF:SUBDIR` fragment: fetched with the host's `git` into a new
//!   directory (shallow where the server allows it), checked out, submodules included; the
//!   context is `SUBDIR` (resolved inside the clone: no link leads out of it), `.git` included
//!   as Docker sends it (a `.dockerignore` can leave it out);
//! - any other `http://` or `https://` URL: its body is the context when it is a tar archive
//!   (plain, gzip or zstd), or the Dockerfile alone when it is text.
//!
//! The URL is untrusted input: refs and URLs that `git` would read as options are refused,
//! `git`'s user-provided transports (`ext::`, `fd::`) are off, it never prompts.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Classify, ErrorKind};

/// How much of an HTTP body is looked at to tell an archive from a Dockerfile (Docker's
/// preamble).
const PREAMBLE: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{0}")]
    Invalid(String),
    /// Fetching failed: Docker's "unable to prepare context" messages.
    #[error("unable to prepare context: {0}")]
    Fetch(String),
    /// The download of an `ADD <URL>` source failed (its message as it is).
    #[error("{0}")]
    Download(String),
}

impl Classify for RemoteError {
    fn kind(&self) -> ErrorKind {
        match self {
            RemoteError::Invalid(_) => ErrorKind::InvalidArgument,
            RemoteError::Fetch(_) | RemoteError::Download(_) => ErrorKind::Internal,
        }
    }
}

type Result<T> = std::result::Result<T, RemoteError>;

/// What a remote context turned out to be.
#[derive(Debug)]
pub enum Fetched {
    /// A checked-out directory (a Git repository, or its `SUBDIR`).
    Dir(PathBuf),
    /// A tar archive (plain or compressed), rewound.
    Archive(File),
    /// A Dockerfile, alone: the context is empty.
    Dockerfile(Vec<u8>),
}

/// `http://` or `https://` (Docker's `urlutil.IsURL`).
pub fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// Docker's `urlutil.IsGitURL`: an HTTP(S) URL whose path ends in `.git` (before a
/// fragment), or one of the Git prefixes.
pub fn is_git_url(s: &str) -> bool {
    if is_url(s) {
        let path = s.split('#').next().unwrap_or(s);
        if path.ends_with(".git") {
            return true;
        }
    }
    ["git://", "github.com/", "git@"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// Whether `s` names a remote context at all (a Git repository or an HTTP(S) URL).
pub fn is_remote(s: &str) -> bool {
    is_url(s) || is_git_url(s)
}

/// Whether `buf` starts like a tar archive berth unpacks: gzip, zstd, or a plain tar (ustar
/// magic at 257, or a first block of zeros: the empty archive).
pub fn looks_like_archive(buf: &[u8]) -> bool {
    if buf.starts_with(&[0x1f, 0x8b]) || buf.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return true;
    }
    buf.len() >= 512 && (&buf[257..262] == b"ustar" || buf[..512].iter().all(|&b| b == 0))
}

/// A Git URL taken apart: the repository, the ref to check out, the directory in it.
#[derive(Debug, PartialEq, Eq)]
pub struct GitSource {
    pub url: String,
    pub reference: Option<String>,
    pub subdir: Option<String>,
}

/// Splits `URL#REF:SUBDIR` (Docker's syntax); `github.com/…` becomes `https://github.com/…`.
pub fn parse_git(s: &str) -> Result<GitSource> {
    let (url, fragment) = match s.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (s, None),
    };
    let url = if url.starts_with("github.com/") {
        format!("https://{url}")
    } else {
        url.to_string()
    };
    if url.starts_with('-') || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(RemoteError::Invalid(format!("invalid git URL {s:?}")));
    }
    let (reference, subdir) = match fragment {
        None => (None, None),
        Some(f) => {
            let (r, d) = match f.split_once(':') {
                Some((r, d)) => (r, Some(d)),
                None => (f, None),
            };
            let r = (!r.is_empty()).then(|| r.to_string());
            let d = d
                .map(|d| d.trim_matches('/'))
                .filter(|d| !d.is_empty() && *d != ".")
                .map(str::to_string);
            (r, d)
        }
    };
    if let Some(r) = &reference
        && (r.starts_with('-') || r.chars().any(|c| c.is_control() || c.is_whitespace()))
    {
        return Err(RemoteError::Invalid(format!("invalid git ref {r:?}")));
    }
    Ok(GitSource {
        url,
        reference,
        subdir,
    })
}

/// Fetches `url` into `work` (a new, empty directory the caller removes).
pub fn fetch(url: &str, work: &Path) -> Result<Fetched> {
    if is_git_url(url) {
        let src = parse_git(url)?;
        clone(&src, work)
    } else if is_url(url) {
        download(url, work)
    } else {
        Err(RemoteError::Invalid(format!(
            "unable to prepare context: {url:?} is not a Git or HTTP(S) URL"
        )))
    }
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        // Only the transports a user may name on the command line: no `ext::`, no `fd::`.
        .env("GIT_PROTOCOL_FROM_USER", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(std::process::Stdio::null());
    c
}

/// Runs a git command; its stderr makes the message when it fails.
fn run(mut c: Command, what: &str) -> Result<()> {
    let out = c.output().map_err(|e| {
        RemoteError::Fetch(format!(
            "unable to 'git clone' to temporary context directory: {what}: {e} (is git installed?)"
        ))
    })?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    Err(RemoteError::Fetch(format!(
        "unable to 'git clone' to temporary context directory: {what}: {last}: {}",
        out.status
    )))
}

fn clone(src: &GitSource, work: &Path) -> Result<Fetched> {
    let root = work.join("git");
    std::fs::create_dir(&root).map_err(|e| RemoteError::Fetch(format!("{e}")))?;
    let mut c = git(&root);
    c.args(["init", "-q"]);
    run(c, "git init")?;
    let mut c = git(&root);
    c.args(["remote", "add", "origin", "--", &src.url]);
    run(c, "git remote add")?;
    let reference = src.reference.as_deref().unwrap_or("HEAD");
    // Shallow first; dumb HTTP servers (and unadvertised commits) need a full fetch.
    let fetch = |depth: bool| {
        let mut c = git(&root);
        c.args(["fetch", "-q"]);
        if depth {
            c.arg("--depth=1");
        }
        c.args(["origin", "--", reference]);
        run(c, "error fetching")
    };
    let checkout = if fetch(true).is_ok() || fetch(false).is_ok() {
        "FETCH_HEAD"
    } else {
        // A commit that the server does not offer by name: everything, then that commit.
        let mut c = git(&root);
        c.args(["fetch", "-q", "origin"]);
        run(c, "error fetching")?;
        reference
    };
    let mut c = git(&root);
    c.args(["checkout", "-q", checkout, "--"]);
    run(c, "error checking out")?;
    if root.join(".gitmodules").exists() {
        let mut c = git(&root);
        c.args(["submodule", "update", "-q", "--init", "--recursive"]);
        run(c, "error initializing submodules")?;
    }
    let Some(sub) = &src.subdir else {
        return Ok(Fetched::Dir(root));
    };
    let dir = crate::spec::inroot::resolve_in_root_manually(&root, sub);
    match dir.and_then(|d| std::fs::symlink_metadata(&d).map(|m| (d, m))) {
        Ok((d, m)) if m.is_dir() => Ok(Fetched::Dir(d)),
        Ok(_) => Err(RemoteError::Fetch(format!(
            "error setting git context, not a directory: {sub}"
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(RemoteError::Fetch(format!(
            "error setting git context, subdir {sub} not found"
        ))),
        Err(e) => Err(RemoteError::Fetch(format!(
            "error setting git context: {sub}: {e}"
        ))),
    }
}

/// GETs `url` into a temp file below `work`, then tells an archive from a Dockerfile by its
/// content type and first bytes.
fn download(url: &str, work: &Path) -> Result<Fetched> {
    let fail = |e: &dyn std::fmt::Display| RemoteError::Fetch(format!("{e}"));
    let path = work.join("remote");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| fail(&e))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(&e))?;
    let content_type = rt.block_on(async {
        let client = reqwest::Client::builder()
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| fail(&e))?;
        let mut resp = client
            .get(url)
            .send()
            .await
            .map_err(|e| fail(&format!("Get {url:?}: {}", error_chain(&e))))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(RemoteError::Fetch(format!(
                "failed to GET {url} with status {status}"
            )));
        }
        let ct = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|s| {
                s.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| fail(&format!("reading {url}: {}", error_chain(&e))))?
        {
            file.write_all(&chunk).map_err(|e| fail(&e))?;
        }
        Ok(ct)
    })?;
    file.rewind().map_err(|e| fail(&e))?;
    let mut preamble = Vec::with_capacity(PREAMBLE);
    (&mut file)
        .take(PREAMBLE as u64)
        .read_to_end(&mut preamble)
        .map_err(|e| fail(&e))?;
    if preamble.is_empty() {
        return Err(RemoteError::Fetch(format!("{url}: empty response")));
    }
    file.rewind().map_err(|e| fail(&e))?;
    match classify(content_type.as_deref(), &preamble) {
        Kind::Archive => Ok(Fetched::Archive(file)),
        Kind::Text => {
            let mut text = Vec::new();
            // A Dockerfile is small: a "text" body larger than this is no Dockerfile.
            file.take(16 << 20)
                .read_to_end(&mut text)
                .map_err(|e| fail(&e))?;
            Ok(Fetched::Dockerfile(text))
        }
        Kind::Unsupported(ct) => Err(RemoteError::Fetch(format!(
            "unsupported Content-Type {ct:?}"
        ))),
    }
}

/// The largest body an `ADD <URL>` takes (`BERTH_ADD_URL_MAX_SIZE` bytes overrides it).
pub const ADD_URL_MAX_SIZE: u64 = 4 << 30;

/// The size limit of an `ADD <URL>` download.
pub fn add_url_max_size() -> u64 {
    std::env::var("BERTH_ADD_URL_MAX_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ADD_URL_MAX_SIZE)
}

/// A file an `ADD <URL>` downloaded.
#[derive(Debug)]
pub struct Downloaded {
    /// The file (in the caller's directory), its content as sent.
    pub path: PathBuf,
    /// `sha256:…` of the content.
    pub digest: String,
    pub size: u64,
    /// The `Last-Modified` header as a Unix time, if the server sent one that parses.
    pub last_modified: Option<i64>,
    /// The name Docker gives the file in a destination directory: the URL path's last
    /// segment, else the `Content-Disposition` filename; None when neither names a file.
    pub filename: Option<String>,
}

/// GETs an `ADD` source into a new file in `dir`, hashing it as it comes: refused past
/// `limit` bytes (by `Content-Length` before reading, by count while reading), stopped when
/// `canceled` says so. The body is untrusted: it is stored as bytes, never unpacked.
pub fn download_file(
    url: &str,
    dir: &Path,
    limit: u64,
    canceled: &dyn Fn() -> bool,
) -> Result<Downloaded> {
    use sha2::Digest;
    let fail = |e: &dyn std::fmt::Display| RemoteError::Download(format!("{e}"));
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| RemoteError::Invalid(format!("invalid URL {url:?}: {e}")))?;
    let path = dir.join("download");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| fail(&e))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(&e))?;
    let (digest, size, last_modified, disposition) = rt.block_on(async {
        let client = reqwest::Client::builder()
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(30))
            .read_timeout(std::time::Duration::from_secs(120))
            .build()
            .map_err(|e| fail(&e))?;
        let mut resp = client
            .get(parsed.clone())
            .send()
            .await
            .map_err(|e| fail(&format!("Get {url:?}: {}", error_chain(&e))))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(RemoteError::Download(format!(
                "failed to GET {url} with status {status}"
            )));
        }
        let too_big = || {
            RemoteError::Download(format!(
                "{url}: the download is larger than the limit of {limit} bytes"
            ))
        };
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(too_big());
        }
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let last_modified = header(reqwest::header::LAST_MODIFIED)
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v.trim()).ok())
            .map(|t| t.timestamp());
        let disposition = header(reqwest::header::CONTENT_DISPOSITION);
        let mut hash = sha2::Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| fail(&format!("reading {url}: {}", error_chain(&e))))?
        {
            if canceled() {
                return Err(RemoteError::Download("build canceled".into()));
            }
            size += chunk.len() as u64;
            if size > limit {
                return Err(too_big());
            }
            hash.update(&chunk);
            file.write_all(&chunk).map_err(|e| fail(&e))?;
        }
        let digest = format!("sha256:{}", hex::encode(hash.finalize()));
        Ok((digest, size, last_modified, disposition))
    })?;
    file.sync_all().map_err(|e| fail(&e))?;
    Ok(Downloaded {
        path,
        digest,
        size,
        last_modified,
        filename: download_name(parsed.path(), disposition.as_deref()),
    })
}

/// Docker's `getFilenameForDownload`: the last segment of the URL's path unless the path ends
/// with `/`, else the `filename` of a `Content-Disposition` header. A name that could not be a
/// file's (`.`, `..`, a `/` once decoded) is no name.
fn download_name(url_path: &str, disposition: Option<&str>) -> Option<String> {
    let usable = |n: &str| !n.is_empty() && n != "." && n != ".." && !n.contains(['/', '\0']);
    if !url_path.is_empty() && !url_path.ends_with('/') {
        let last = url_path.rsplit('/').next().unwrap_or("");
        let name = percent_decode(last);
        if usable(&name) {
            return Some(name);
        }
    }
    let d = disposition?;
    let value = d.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("filename")
            .then(|| v.trim().trim_matches('"').to_string())
    })?;
    if value.ends_with('/') {
        return None;
    }
    let name = value.rsplit('/').next().unwrap_or("").to_string();
    usable(&name).then_some(name)
}

/// `%XX` sequences decoded (as Go's `url.URL.Path`); invalid UTF-8 replaced.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The error and its causes on one line (reqwest's own message says little).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Archive,
    Text,
    Unsupported(String),
}

/// What a body is: an archive by its first bytes, whatever the server calls it; else a
/// Dockerfile when the server says text, or says nothing useful (no type,
/// `application/octet-stream`) and the bytes are text.
fn classify(content_type: Option<&str>, preamble: &[u8]) -> Kind {
    if looks_like_archive(preamble) {
        return Kind::Archive;
    }
    match content_type {
        Some(ct) if ct.starts_with("text/") => Kind::Text,
        None | Some("") | Some("application/octet-stream") => {
            // A preamble may end inside a UTF-8 sequence.
            let text = match std::str::from_utf8(preamble) {
                Ok(_) => true,
                Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > preamble.len(),
            };
            if text && !preamble.contains(&0) {
                Kind::Text
            } else {
                Kind::Unsupported("application/octet-stream".into())
            }
        }
        Some(ct) => Kind::Unsupported(ct.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls_as_docker_tells_them() {
        assert!(is_git_url("https://example.com/repo.git"));
        assert!(is_git_url("https://example.com/repo.git#main:dir"));
        assert!(is_git_url("git://example.com/repo"));
        assert!(is_git_url("git@github.com:org/repo"));
        assert!(is_git_url("github.com/org/repo"));
        assert!(!is_git_url("https://example.com/context.tar.gz"));
        assert!(!is_git_url("https://example.com/repo.git/Dockerfile"));
        assert!(!is_git_url("./repo.git"));
        assert!(is_remote("http://127.0.0.1:8000/Dockerfile"));
        assert!(!is_remote("."));
        assert!(!is_remote("-"));
    }

    #[test]
    fn fragments_name_a_ref_and_a_directory() {
        let s = parse_git("https://h/r.git#v1.2:app/web/").unwrap();
        assert_eq!(s.url, "https://h/r.git");
        assert_eq!(s.reference.as_deref(), Some("v1.2"));
        assert_eq!(s.subdir.as_deref(), Some("app/web"));
        let s = parse_git("https://h/r.git#:sub").unwrap();
        assert_eq!(s.reference, None);
        assert_eq!(s.subdir.as_deref(), Some("sub"));
        let s = parse_git("github.com/o/r").unwrap();
        assert_eq!(s.url, "https://github.com/o/r");
        assert_eq!((s.reference, s.subdir), (None, None));
        let s = parse_git("https://h/r.git#main").unwrap();
        assert_eq!(s.reference.as_deref(), Some("main"));
    }

    #[test]
    fn options_in_disguise_are_refused() {
        assert!(parse_git("https://h/r.git#--upload-pack=x").is_err());
        assert!(parse_git("https://h/r.git#a b").is_err());
        assert!(parse_git("-oops.git").is_err());
    }

    #[test]
    fn downloads_are_named_as_docker_names_them() {
        assert_eq!(
            download_name("/a/b.tar.gz", None).as_deref(),
            Some("b.tar.gz")
        );
        assert_eq!(
            download_name("/a/my%20file", None).as_deref(),
            Some("my file")
        );
        assert_eq!(download_name("/dir/", None), None);
        assert_eq!(download_name("", None), None);
        assert_eq!(download_name("/a/%2e%2e", None), None);
        assert_eq!(download_name("/a/x%2Fy", None), None);
        assert_eq!(
            download_name("/dir/", Some("attachment; filename=\"r.txt\"")).as_deref(),
            Some("r.txt")
        );
        assert_eq!(
            download_name("/", Some("attachment; filename=../../etc/x")).as_deref(),
            Some("x")
        );
        assert_eq!(download_name("/", Some("inline")), None);
    }

    #[test]
    fn bodies_are_told_apart() {
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(classify(Some("text/plain"), &tar), Kind::Archive);
        assert_eq!(
            classify(Some("application/gzip"), &[0x1f, 0x8b, 8]),
            Kind::Archive
        );
        assert_eq!(classify(Some("text/plain"), b"FROM x\n"), Kind::Text);
        assert_eq!(classify(None, b"FROM x\n"), Kind::Text);
        assert_eq!(
            classify(Some("application/octet-stream"), b"FROM \xc3"),
            Kind::Text
        );
        assert_eq!(
            classify(Some("application/octet-stream"), b"\x7fELF\x00\x01"),
            Kind::Unsupported("application/octet-stream".into())
        );
        assert_eq!(
            classify(Some("image/png"), b"\x89PNG"),
            Kind::Unsupported("image/png".into())
        );
    }
}
