//! Tests of the unpacker: real tar streams (built raw, so that malformed ones can be made too)
//! unpacked into temporary directories.

use super::*;
use std::ffi::{CString, OsStr};
use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;
use nix::sys::stat;
use sha2::{Digest, Sha256};

use super::confined::open_dir_beneath;
use super::pipeline::CHUNK_SIZE;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use tar::{EntryType, Header};

// -- building tar streams ------------------------------------------------

/// Builds tar streams entry by entry, writing raw header fields so that
/// names `tar::Builder` refuses (`..`, absolute) can be produced too.
struct Tar {
    builder: tar::Builder<Vec<u8>>,
}

struct E<'a> {
    kind: EntryType,
    name: &'a [u8],
    link: &'a [u8],
    data: &'a [u8],
    mode: u32,
    uid: u64,
    gid: u64,
    mtime: u64,
    dev: (u32, u32),
}

fn e(kind: EntryType, name: &str) -> E<'_> {
    E {
        kind,
        name: name.as_bytes(),
        link: b"",
        data: b"",
        mode: if kind == EntryType::Directory {
            0o755
        } else {
            0o644
        },
        uid: 0,
        gid: 0,
        mtime: 1_600_000_000,
        dev: (0, 0),
    }
}

impl Tar {
    fn new() -> Self {
        Tar {
            builder: tar::Builder::new(Vec::new()),
        }
    }

    /// GNU long-name ('L') or long-link ('K') extension entry.
    fn gnu_long(&mut self, kind: EntryType, value: &[u8]) {
        let mut data = value.to_vec();
        data.push(0);
        let mut h = Header::new_gnu();
        h.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        self.builder.append(&h, data.as_slice()).unwrap();
    }

    /// PAX ('x') extended header applying to the next entry.
    fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
        let mut data = Vec::new();
        for (key, value) in records {
            let base = key.len() + value.len() + 3;
            let mut len = base + 1;
            while base + len.to_string().len() != len {
                len = base + len.to_string().len();
            }
            data.extend_from_slice(format!("{len} {key}=").as_bytes());
            data.extend_from_slice(value);
            data.push(b'\n');
        }
        let mut h = Header::new_ustar();
        h.set_path("PaxHeaders/entry").unwrap();
        h.set_entry_type(EntryType::XHeader);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        self.builder.append(&h, data.as_slice()).unwrap();
        self
    }

    fn add(&mut self, e: E<'_>) -> &mut Self {
        if e.name.len() > 100 {
            self.gnu_long(EntryType::GNULongName, e.name);
        }
        if e.link.len() > 100 {
            self.gnu_long(EntryType::GNULongLink, e.link);
        }
        let mut h = Header::new_gnu();
        let n = e.name.len().min(100);
        h.as_old_mut().name[..n].copy_from_slice(&e.name[..n]);
        let l = e.link.len().min(100);
        h.as_old_mut().linkname[..l].copy_from_slice(&e.link[..l]);
        h.set_entry_type(e.kind);
        h.set_size(e.data.len() as u64);
        h.set_mode(e.mode);
        h.set_uid(e.uid);
        h.set_gid(e.gid);
        h.set_mtime(e.mtime);
        h.set_device_major(e.dev.0).unwrap();
        h.set_device_minor(e.dev.1).unwrap();
        h.set_cksum();
        self.builder.append(&h, e.data).unwrap();
        self
    }

    fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.add(E {
            data,
            ..e(EntryType::Regular, name)
        })
    }

    fn dir(&mut self, name: &str) -> &mut Self {
        self.add(e(EntryType::Directory, name))
    }

    fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(E {
            link: target.as_bytes(),
            ..e(EntryType::Symlink, name)
        })
    }

    fn hardlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(E {
            link: target.as_bytes(),
            ..e(EntryType::Link, name)
        })
    }

    fn bytes(&mut self) -> Vec<u8> {
        let mut builder = std::mem::replace(&mut self.builder, tar::Builder::new(Vec::new()));
        builder.finish().unwrap();
        builder.into_inner().unwrap()
    }
}

// -- test environment ----------------------------------------------------

/// `<tmp>/dest` (the layer directory) next to `<tmp>/outside`, a sentinel
/// directory holding one file, `keep`, that must never change.
struct Env {
    _tmp: tempfile::TempDir,
    dest: PathBuf,
    outside: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("dest");
        let outside = tmp.path().join("outside");
        fs::create_dir(&dest).unwrap();
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("keep"), b"keep").unwrap();
        fs::set_permissions(outside.join("keep"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(&outside, fs::Permissions::from_mode(0o755)).unwrap();
        Env {
            _tmp: tmp,
            dest,
            outside,
        }
    }

    fn unpack(&self, tar: &[u8]) -> Result<Unpacked, UnpackError> {
        unpack(tar, Compression::Plain, &self.dest)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dest.join(rel)
    }

    fn lstat(&self, rel: &str) -> fs::Metadata {
        fs::symlink_metadata(self.path(rel)).unwrap()
    }

    /// The sentinel directory is exactly as created.
    fn assert_outside_untouched(&self) {
        let names: Vec<_> = fs::read_dir(&self.outside)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("keep")]);
        let keep = self.outside.join("keep");
        let md = fs::symlink_metadata(&keep).unwrap();
        assert!(md.file_type().is_file());
        assert_eq!(fs::read(&keep).unwrap(), b"keep");
        assert_eq!(md.mode() & 0o7777, 0o644);
        assert_eq!((md.uid(), md.gid()), (0, 0));
        assert_eq!(md.nlink(), 1);
        let dir = fs::symlink_metadata(&self.outside).unwrap();
        assert_eq!(dir.mode() & 0o7777, 0o755);
        assert_eq!((dir.uid(), dir.gid()), (0, 0));
        assert_eq!(lgetxattr(&self.outside, "trusted.overlay.opaque"), None);
    }

    fn assert_escape(&self, tar: &[u8]) {
        match self.unpack(tar) {
            Err(UnpackError::Escape { .. }) => {}
            other => panic!("expected an Escape error, got {other:?}"),
        }
        self.assert_outside_untouched();
    }
}

fn lgetxattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    let path = CString::new(path.as_os_str().as_bytes()).unwrap();
    let name = CString::new(name).unwrap();
    let mut buf = vec![0u8; 1024];
    // SAFETY: valid C strings and buffer.
    let n = unsafe {
        libc::lgetxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if n < 0 {
        return None;
    }
    buf.truncate(n as usize);
    Some(buf)
}

fn sha256_hex(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// A unique name in /tmp that must not come into existence.
fn tmp_canary(tag: &str) -> (String, PathBuf) {
    let name = format!("berth-unpack-canary-{}-{tag}", std::process::id());
    let path = Path::new("/tmp").join(&name);
    let _ = fs::remove_file(&path);
    (name, path)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(data, 3).unwrap()
}

// -- compression and diff_id ---------------------------------------------

#[test]
fn media_types_and_sniffing() {
    use Compression::*;
    let cases = [
        ("application/vnd.oci.image.layer.v1.tar", Some(Plain)),
        ("application/vnd.oci.image.layer.v1.tar+gzip", Some(Gzip)),
        ("application/vnd.oci.image.layer.v1.tar+zstd", Some(Zstd)),
        (
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            Some(Gzip),
        ),
        (
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
            Some(Zstd),
        ),
        (
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            Some(Gzip),
        ),
        (
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            Some(Gzip),
        ),
        (
            "Application/VND.OCI.image.layer.v1.tar+gzip; foo=bar",
            Some(Gzip),
        ),
        ("application/vnd.oci.image.config.v1+json", None),
        ("application/vnd.oci.image.layer.v1.tar+bzip2", None),
    ];
    for (media_type, expected) in cases {
        assert_eq!(
            Compression::from_media_type(media_type),
            expected,
            "{media_type}"
        );
    }
    assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8, 0]), Gzip);
    assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Zstd);
    assert_eq!(Compression::sniff(b"etc/passwd\0"), Plain);
    assert_eq!(Compression::sniff(&[0x1f]), Plain);
    assert_eq!(Compression::sniff(&[]), Plain);
}

#[test]
fn plain_gzip_and_zstd_unpack_with_correct_diff_id() {
    // Larger than one pipeline chunk, with a non-round size.
    let big: Vec<u8> = (0..3 * CHUNK_SIZE + 17).map(|i| (i % 251) as u8).collect();
    let tar = Tar::new()
        .dir("etc/")
        .file("etc/hostname", b"berth\n")
        .file("big.bin", &big)
        .file("empty", b"")
        .bytes();
    let blobs = [
        (Compression::Plain, tar.clone()),
        (Compression::Gzip, gzip(&tar)),
        (Compression::Zstd, zstd(&tar)),
    ];
    for (compression, blob) in blobs {
        let env = Env::new();
        assert_eq!(Compression::sniff(&blob), compression);
        let out = unpack(blob.as_slice(), compression, &env.dest).unwrap();
        assert_eq!(out.diff_id, sha256_hex(&tar), "{compression:?}");
        assert_eq!(out.size, 6 + big.len() as u64);
        assert_eq!(fs::read(env.path("etc/hostname")).unwrap(), b"berth\n");
        assert_eq!(fs::read(env.path("big.bin")).unwrap(), big);
        assert_eq!(env.lstat("empty").len(), 0);
    }
}

#[test]
fn multi_member_gzip_and_multi_frame_zstd() {
    let tar = Tar::new().file("a", b"hello").bytes();
    let (first, second) = tar.split_at(700);
    let mut gz = gzip(first);
    gz.extend(gzip(second));
    let mut zs = zstd(first);
    zs.extend(zstd(second));
    for (compression, blob) in [(Compression::Gzip, gz), (Compression::Zstd, zs)] {
        let env = Env::new();
        let out = unpack(blob.as_slice(), compression, &env.dest).unwrap();
        assert_eq!(out.diff_id, sha256_hex(&tar));
        assert_eq!(fs::read(env.path("a")).unwrap(), b"hello");
    }
}

#[test]
fn diff_id_covers_bytes_after_end_of_archive() {
    let mut tar = Tar::new().file("a", b"x").bytes();
    tar.extend_from_slice(&[0u8; 4096]);
    tar.extend_from_slice(b"trailing bytes that are not tar");
    let env = Env::new();
    let out = unpack(gzip(&tar).as_slice(), Compression::Gzip, &env.dest).unwrap();
    assert_eq!(out.diff_id, sha256_hex(&tar));
}

#[test]
fn empty_stream_is_an_empty_layer() {
    let env = Env::new();
    let out = env.unpack(b"").unwrap();
    assert_eq!(out.diff_id, sha256_hex(b""));
    assert_eq!(out.size, 0);
    let out = unpack(gzip(b"").as_slice(), Compression::Gzip, &env.dest).unwrap();
    assert_eq!(out.diff_id, sha256_hex(b""));
    assert_eq!(fs::read_dir(&env.dest).unwrap().count(), 0);
}

#[test]
fn truncated_or_invalid_streams_are_errors() {
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let tar = Tar::new().file("a", &data).file("b", b"bee").bytes();
    let gz = gzip(&tar);
    let zs = zstd(&tar);
    let cases: Vec<(&str, Compression, Vec<u8>)> = vec![
        (
            "truncated gzip",
            Compression::Gzip,
            gz[..gz.len() / 2].to_vec(),
        ),
        (
            "gzip without trailer",
            Compression::Gzip,
            gz[..gz.len() - 4].to_vec(),
        ),
        (
            "truncated zstd",
            Compression::Zstd,
            zs[..zs.len() / 2].to_vec(),
        ),
        (
            "zstd missing last byte",
            Compression::Zstd,
            zs[..zs.len() - 1].to_vec(),
        ),
        (
            "gzip of garbage",
            Compression::Gzip,
            b"\x1f\x8bnot really gzip".to_vec(),
        ),
        (
            "zstd of garbage",
            Compression::Zstd,
            b"\x28\xb5\x2f\xfdnope".to_vec(),
        ),
        (
            "gzip with junk after",
            Compression::Gzip,
            [gz.clone(), b"junk".to_vec()].concat(),
        ),
        (
            "tar cut inside data",
            Compression::Plain,
            tar[..100_000].to_vec(),
        ),
        (
            "tar cut inside header",
            Compression::Plain,
            tar[..200].to_vec(),
        ),
        // Cut exactly after the last entry: no end-of-archive block.
        (
            "tar without end block",
            Compression::Plain,
            tar[..tar.len() - 1024].to_vec(),
        ),
        (
            "tar without end, gzip",
            Compression::Gzip,
            gzip(&tar[..tar.len() - 1024]),
        ),
        ("not a tar", Compression::Plain, vec![b'x'; 1024]),
    ];
    for (what, compression, blob) in cases {
        let env = Env::new();
        match unpack(blob.as_slice(), compression, &env.dest) {
            Err(UnpackError::Corrupt(_)) => {}
            other => panic!("{what}: expected Corrupt, got {other:?}"),
        }
    }
}

#[test]
fn reader_errors_are_reported_as_read_errors() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "network down",
            ))
        }
    }
    for compression in [Compression::Plain, Compression::Gzip, Compression::Zstd] {
        let env = Env::new();
        match unpack(Failing, compression, &env.dest) {
            Err(UnpackError::Read(e)) => assert_eq!(e.kind(), io::ErrorKind::ConnectionReset),
            other => panic!("{compression:?}: expected Read, got {other:?}"),
        }
    }
}

#[test]
fn errors_display_clearly() {
    let env = Env::new();
    let tar = Tar::new().add(e(EntryType::Regular, "../x")).bytes();
    let err = env.unpack(&tar).unwrap_err().to_string();
    assert_eq!(
        err,
        "layer entry \"../x\" would escape the layer directory: `..` path component"
    );
}

// -- escapes -------------------------------------------------------------

#[test]
fn dotdot_names_are_refused() {
    for name in [
        "../escaped",
        "a/../../escaped",
        "./..",
        "a/b/../../../outside/keep",
    ] {
        let env = Env::new();
        env.assert_escape(&Tar::new().dir("a/").file(name, b"pwned").bytes());
        assert!(!env.dest.parent().unwrap().join("escaped").exists());
    }
    // `..` that would stay inside is refused as well: the policy is simple.
    let env = Env::new();
    env.assert_escape(&Tar::new().dir("a/b/").file("a/b/../c", b"x").bytes());
    // A directory entry and a long (GNU) and PAX name.
    let env = Env::new();
    env.assert_escape(&Tar::new().dir("../outside/newdir/").bytes());
    let long = format!("{}../../../../outside/pwned", "a/".repeat(60));
    let env = Env::new();
    env.assert_escape(&Tar::new().file(&long, b"x").bytes());
    let env = Env::new();
    env.assert_escape(
        &Tar::new()
            .pax(&[("path", b"../outside/pwned")])
            .file("harmless", b"x")
            .bytes(),
    );
}

#[test]
fn absolute_names_are_refused() {
    let (_, canary) = tmp_canary("absolute");
    let env = Env::new();
    let name = canary.to_str().unwrap().to_owned();
    env.assert_escape(&Tar::new().file(&name, b"pwned").bytes());
    assert!(!canary.exists());
    let env = Env::new();
    let keep = env.outside.join("keep");
    env.assert_escape(&Tar::new().file(keep.to_str().unwrap(), b"pwned").bytes());
    let env = Env::new();
    env.assert_escape(&Tar::new().dir("/").bytes());
}

#[test]
fn writing_through_an_earlier_symlink_is_refused() {
    let (canary_name, canary) = tmp_canary("symlink");
    let cases = |env: &Env| -> Vec<Vec<u8>> {
        let outside = env.outside.to_str().unwrap().to_owned();
        vec![
            // evil -> /tmp, then evil/<canary>
            Tar::new()
                .symlink("evil", "/tmp")
                .file(&format!("evil/{canary_name}"), b"pwned")
                .bytes(),
            // evil -> ../../.. (relative, climbing out), then evil/tmp/<canary>
            Tar::new()
                .symlink("evil", "../../..")
                .file(&format!("evil/tmp/{canary_name}"), b"pwned")
                .bytes(),
            // relative symlink to the sentinel, new file below it
            Tar::new()
                .symlink("evil", "../outside")
                .file("evil/pwned", b"x")
                .bytes(),
            // absolute symlink to the sentinel, replacing a file there
            Tar::new()
                .symlink("evil", &outside)
                .file("evil/keep", b"pwned")
                .bytes(),
            // nested: a/evil -> ../../outside, then a/evil/sub/x
            Tar::new()
                .dir("a/")
                .symlink("a/evil", "../../outside")
                .file("a/evil/sub/x", b"x")
                .bytes(),
            // a directory, a symlink, a device, a hard link through it
            Tar::new()
                .symlink("evil", &outside)
                .dir("evil/newdir/")
                .bytes(),
            Tar::new()
                .symlink("evil", &outside)
                .symlink("evil/l", "/")
                .bytes(),
            Tar::new()
                .symlink("evil", &outside)
                .add(e(EntryType::Fifo, "evil/fifo"))
                .bytes(),
            Tar::new()
                .file("f", b"x")
                .symlink("evil", &outside)
                .hardlink("evil/h", "f")
                .bytes(),
            // whiteout and opaque marker through the symlink
            Tar::new()
                .symlink("evil", &outside)
                .file("evil/.wh.keep", b"")
                .bytes(),
            Tar::new()
                .symlink("evil", &outside)
                .file("evil/.wh..wh..opq", b"")
                .bytes(),
            // symlink to a symlink to outside
            Tar::new()
                .symlink("one", &outside)
                .symlink("two", "one")
                .file("two/pwned", b"x")
                .bytes(),
            // a directory that later turns into a symlink
            Tar::new()
                .dir("d/")
                .file("d/a", b"x")
                .symlink("d", &outside)
                .file("d/pwned", b"x")
                .bytes(),
        ]
    };
    let count = cases(&Env::new()).len();
    for i in 0..count {
        let env = Env::new();
        let tar = cases(&env).swap_remove(i);
        match env.unpack(&tar) {
            Err(UnpackError::Escape { .. }) => {}
            other => panic!("case {i}: expected Escape, got {other:?}"),
        }
        env.assert_outside_untouched();
        assert!(!canary.exists(), "case {i} wrote {}", canary.display());
    }
}

#[test]
fn kernel_refuses_resolution_outside_dest() {
    // The last line of defence, independent of the name checks.
    let env = Env::new();
    fs::create_dir(env.path("real")).unwrap();
    std::os::unix::fs::symlink("../outside", env.path("rel")).unwrap();
    std::os::unix::fs::symlink(&env.outside, env.path("abs")).unwrap();
    std::os::unix::fs::symlink("real", env.path("inside")).unwrap();
    let root = nix::fcntl::open(
        &env.dest,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY,
        Mode::empty(),
    )
    .unwrap();
    let outside = env.outside.to_str().unwrap().as_bytes().to_vec();
    for path in [
        &b".."[..],
        b"../outside",
        b"real/../..",
        &outside,
        b"/",
        b"rel",
        b"abs",
        b"inside",
        b"real/../rel",
        b"/proc/self/root",
    ] {
        let result = open_dir_beneath(root.as_fd(), path);
        assert!(
            matches!(result, Err(Errno::EXDEV | Errno::ELOOP)),
            "{}: {result:?}",
            String::from_utf8_lossy(path)
        );
    }
    assert!(open_dir_beneath(root.as_fd(), b"real").is_ok());
    assert!(open_dir_beneath(root.as_fd(), b"real/..").is_ok());
}

#[test]
fn hard_links_cannot_escape() {
    let env = Env::new();
    let keep = env.outside.join("keep");
    let keep = keep.to_str().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "dotdot",
            Tar::new().hardlink("h", "../outside/keep").bytes(),
        ),
        (
            "dotdot inside",
            Tar::new().file("a", b"x").hardlink("h", "b/../a").bytes(),
        ),
        ("absolute", Tar::new().hardlink("h", keep).bytes()),
        (
            "through a symlink",
            Tar::new()
                .symlink("evil", "../outside")
                .hardlink("h", "evil/keep")
                .bytes(),
        ),
        (
            "to a symlink pointing outside",
            Tar::new().symlink("s", keep).hardlink("h", "s").bytes(),
        ),
        (
            "to a dangling relative symlink",
            Tar::new()
                .symlink("s", "../outside/keep")
                .hardlink("h", "s")
                .bytes(),
        ),
    ];
    for (what, tar) in cases {
        let env = Env::new();
        match env.unpack(&tar) {
            Err(UnpackError::Escape { .. }) => {}
            other => panic!("{what}: expected Escape, got {other:?}"),
        }
        env.assert_outside_untouched();
        assert!(!env.path("h").exists(), "{what}");
    }
    // Targets that are not earlier entries of the layer.
    for tar in [
        Tar::new().hardlink("h", "missing").bytes(),
        Tar::new().hardlink("h", "missing/dir/file").bytes(),
        Tar::new().dir("d/").hardlink("h", "d").bytes(),
        Tar::new().hardlink("h", "./").bytes(),
    ] {
        let env = Env::new();
        match env.unpack(&tar) {
            Err(UnpackError::Corrupt(_)) => {}
            other => panic!("expected Corrupt, got {other:?}"),
        }
        env.assert_outside_untouched();
    }
}

#[test]
fn replaced_symlinks_are_not_followed() {
    let env = Env::new();
    let outside = env.outside.to_str().unwrap().to_owned();
    let keep = format!("{outside}/keep");
    let tar = Tar::new()
        // symlink to the sentinel dir, then a directory entry of that name
        .symlink("d", &outside)
        .add(E {
            mode: 0o777,
            uid: 1234,
            gid: 1234,
            ..e(EntryType::Directory, "d")
        })
        // symlink to the sentinel file, then a file / device / symlink
        .symlink("f", &keep)
        .add(E {
            data: b"mine",
            mode: 0o4777,
            uid: 1234,
            ..e(EntryType::Regular, "f")
        })
        .symlink("c", &keep)
        .add(E {
            mode: 0o666,
            dev: (1, 3),
            ..e(EntryType::Char, "c")
        })
        .symlink("s", &keep)
        .symlink("s", "elsewhere")
        // a file replacing a symlink that points to a missing outside file
        .symlink("n", "../outside/new")
        .file("n", b"x")
        .bytes();
    env.unpack(&tar).unwrap();
    env.assert_outside_untouched();
    assert!(!env.outside.join("new").exists());
    assert!(env.lstat("d").is_dir());
    assert_eq!(env.lstat("d").mode() & 0o7777, 0o777);
    assert_eq!(env.lstat("d").uid(), 1234);
    assert_eq!(fs::read(env.path("f")).unwrap(), b"mine");
    assert_eq!(env.lstat("f").mode() & 0o7777, 0o4777);
    assert!(env.lstat("c").file_type().is_char_device());
    assert_eq!(
        fs::read_link(env.path("s")).unwrap(),
        Path::new("elsewhere")
    );
    assert!(env.lstat("n").is_file());
}

#[test]
fn whiteout_names_cannot_escape() {
    for name in [".wh...", "a/.wh..."] {
        let env = Env::new();
        let result = env.unpack(&Tar::new().dir("a/").file(name, b"").bytes());
        assert!(result.is_err(), "{name}");
        env.assert_outside_untouched();
        assert!(env.dest.exists());
    }
    let env = Env::new();
    env.assert_escape(&Tar::new().file("../.wh.outside", b"").bytes());
    let env = Env::new();
    env.assert_escape(&Tar::new().file("../outside/.wh..wh..opq", b"").bytes());
}

#[test]
fn layer_root_cannot_be_replaced() {
    for tar in [
        Tar::new().file(".", b"").bytes(),
        Tar::new().symlink(".", "/").bytes(),
        Tar::new().hardlink("./", "x").bytes(),
        Tar::new().add(e(EntryType::Fifo, ".")).bytes(),
    ] {
        let env = Env::new();
        assert!(env.unpack(&tar).is_err());
        assert!(fs::symlink_metadata(&env.dest).unwrap().is_dir());
        env.assert_outside_untouched();
    }
}

// -- whiteouts -----------------------------------------------------------

fn assert_whiteout(md: &fs::Metadata) {
    assert!(md.file_type().is_char_device());
    assert_eq!(md.rdev(), 0);
}

#[test]
fn whiteouts_become_overlay_whiteouts() {
    let env = Env::new();
    let tar = Tar::new()
        .dir("d/")
        .file("d/.wh.gone", b"")
        .file(".wh.rootgone", b"")
        .file("deep/er/.wh.x", b"") // parents created implicitly
        .file("d/.wh..wh..opq", b"")
        .file("e/.wh..wh..opq", b"") // `e` not listed: created
        .file(".wh..wh..plnk/123", b"aufs hard link store") // ignored
        .file("d/.wh..wh.aufs", b"") // ignored
        .file("d/mine", b"x")
        .file("d/.wh.mine", b"") // this layer's own file wins
        .file("d/.wh.later", b"")
        .file("d/later", b"x") // and replaces an earlier whiteout
        // Whiteout and directory of the same name in one layer: the
        // directory stays, opaque, whatever the order.
        .file(".wh.w1", b"")
        .dir("w1/")
        .file("w1/f", b"x")
        .file(".wh.w2", b"")
        .file("w2/sub/f", b"x")
        .dir("w3/")
        .file("w3/f", b"x")
        .file(".wh.w3", b"")
        .bytes();
    env.unpack(&tar).unwrap();
    assert_whiteout(&env.lstat("d/gone"));
    assert_whiteout(&env.lstat("rootgone"));
    assert_whiteout(&env.lstat("deep/er/x"));
    for gone in [
        "d/.wh.gone",
        ".wh.rootgone",
        ".wh..wh..plnk",
        "d/.wh..wh.aufs",
    ] {
        assert!(fs::symlink_metadata(env.path(gone)).is_err(), "{gone}");
    }
    assert!(fs::symlink_metadata(env.path("d/.wh..wh..opq")).is_err());
    assert_eq!(
        lgetxattr(&env.path("d"), "trusted.overlay.opaque"),
        Some(b"y".to_vec())
    );
    assert_eq!(
        lgetxattr(&env.path("e"), "trusted.overlay.opaque"),
        Some(b"y".to_vec())
    );
    assert_eq!(lgetxattr(&env.path("deep"), "trusted.overlay.opaque"), None);
    assert!(env.lstat("d/mine").is_file());
    assert!(env.lstat("d/later").is_file());
    for dir in ["w1", "w2", "w3"] {
        assert!(env.lstat(dir).is_dir(), "{dir}");
        assert_eq!(
            lgetxattr(&env.path(dir), "trusted.overlay.opaque"),
            Some(b"y".to_vec()),
            "{dir}"
        );
    }
    assert_eq!(fs::read(env.path("w1/f")).unwrap(), b"x");
    assert_eq!(fs::read(env.path("w2/sub/f")).unwrap(), b"x");
    assert_eq!(fs::read(env.path("w3/f")).unwrap(), b"x");
    assert_eq!(
        lgetxattr(&env.path("w2/sub"), "trusted.overlay.opaque"),
        None
    );
    assert_eq!(env.lstat("w2").mode() & 0o7777, 0o755);
    // A file in the way of a parent is still an error.
    let env = Env::new();
    assert!(
        env.unpack(&Tar::new().file("f", b"x").file("f/g", b"y").bytes())
            .is_err()
    );
    // Opaque marker at the top marks the layer directory itself.
    let env = Env::new();
    env.unpack(&Tar::new().file(".wh..wh..opq", b"").bytes())
        .unwrap();
    assert_eq!(
        lgetxattr(&env.dest, "trusted.overlay.opaque"),
        Some(b"y".to_vec())
    );
}

#[test]
fn overlay_xattrs_from_the_layer_are_dropped() {
    let env = Env::new();
    let tar = Tar::new()
        .pax(&[
            ("SCHILY.xattr.trusted.overlay.redirect", b"/etc"),
            ("SCHILY.xattr.trusted.overlay.opaque", b"y"),
            ("SCHILY.xattr.trusted.berth", b"kept"),
        ])
        .dir("d/")
        .bytes();
    env.unpack(&tar).unwrap();
    assert_eq!(lgetxattr(&env.path("d"), "trusted.overlay.redirect"), None);
    assert_eq!(lgetxattr(&env.path("d"), "trusted.overlay.opaque"), None);
    assert_eq!(
        lgetxattr(&env.path("d"), "trusted.berth"),
        Some(b"kept".to_vec())
    );
}

// -- content and metadata ------------------------------------------------

#[test]
fn hard_links_share_the_inode() {
    let env = Env::new();
    let tar = Tar::new()
        .file("a/f", b"shared")
        .hardlink("b/h", "a/f")
        .hardlink("./c", "./a//f")
        .bytes();
    let out = env.unpack(&tar).unwrap();
    assert_eq!(out.size, 6, "links add no content");
    let f = env.lstat("a/f");
    assert_eq!(env.lstat("b/h").ino(), f.ino());
    assert_eq!(env.lstat("c").ino(), f.ino());
    assert_eq!(f.nlink(), 3);
    assert_eq!(fs::read(env.path("b/h")).unwrap(), b"shared");
}

#[test]
fn long_names_and_link_names() {
    let env = Env::new();
    let gnu_long = format!("{}file.txt", "long-directory-name/".repeat(8));
    let pax_long = format!("{}pax.txt", "pax-directory/".repeat(12));
    let long_target = format!("{}target", "t/".repeat(70));
    let mut tar = Tar::new();
    tar.file(&gnu_long, b"gnu")
        .pax(&[("path", pax_long.as_bytes())])
        .file("short-name-replaced-by-pax", b"pax")
        .symlink("long-symlink", &long_target)
        .pax(&[("linkpath", pax_long.as_bytes())])
        .hardlink("pax-hardlink", "ignored");
    // tar::Builder's own GNU long-name encoding.
    let builder_long = format!("{}builder.txt", "b".repeat(150) + "/");
    let mut h = Header::new_gnu();
    h.set_size(7);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_entry_type(EntryType::Regular);
    tar.builder
        .append_data(&mut h, &builder_long, &b"builder"[..])
        .unwrap();
    env.unpack(&tar.bytes()).unwrap();
    assert_eq!(fs::read(env.path(&gnu_long)).unwrap(), b"gnu");
    assert_eq!(fs::read(env.path(&pax_long)).unwrap(), b"pax");
    assert!(!env.path("short-name-replaced-by-pax").exists());
    assert_eq!(
        fs::read_link(env.path("long-symlink")).unwrap(),
        Path::new(&long_target)
    );
    assert_eq!(env.lstat("pax-hardlink").ino(), env.lstat(&pax_long).ino());
    assert_eq!(fs::read(env.path(&builder_long)).unwrap(), b"builder");
}

#[test]
fn utf8_spaces_and_odd_bytes_in_names() {
    let env = Env::new();
    let tar = Tar::new()
        .file("dir with spaces/ünïcödé 文件.txt", b"utf8")
        .symlink("link → target", "ünïcödé 文件.txt")
        .add(E {
            data: b"latin1",
            ..e(EntryType::Regular, "x")
        })
        .bytes();
    // Rename the last entry to a non-UTF-8 name.
    let mut tar = tar;
    let pos = tar.windows(2).rposition(|w| w == b"x\0").unwrap();
    tar[pos] = 0xe9;
    let mut h = Header::from_byte_slice(&tar[pos..pos + 512]).clone();
    h.set_cksum();
    tar[pos..pos + 512].copy_from_slice(h.as_bytes());
    env.unpack(&tar).unwrap();
    assert_eq!(
        fs::read(env.path("dir with spaces/ünïcödé 文件.txt")).unwrap(),
        b"utf8"
    );
    assert_eq!(
        fs::read_link(env.path("link → target")).unwrap(),
        Path::new("ünïcödé 文件.txt")
    );
    assert_eq!(
        fs::read(env.dest.join(OsStr::from_bytes(&[0xe9]))).unwrap(),
        b"latin1"
    );
}

#[test]
fn symlinks_are_created_verbatim() {
    let env = Env::new();
    let tar = Tar::new()
        .symlink("abs", "/etc/passwd")
        .symlink("rel", "../../../../etc/shadow")
        .symlink("dangling", "does/not/exist")
        .symlink("dir/inner", ".")
        .bytes();
    env.unpack(&tar).unwrap();
    for (name, target) in [
        ("abs", "/etc/passwd"),
        ("rel", "../../../../etc/shadow"),
        ("dangling", "does/not/exist"),
        ("dir/inner", "."),
    ] {
        assert!(env.lstat(name).file_type().is_symlink());
        assert_eq!(fs::read_link(env.path(name)).unwrap(), Path::new(target));
    }
}

#[test]
fn modes_and_ownership() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            data: b"#!/bin/sh\n",
            mode: 0o4755,
            uid: 1000,
            gid: 1000,
            ..e(EntryType::Regular, "bin/suid")
        })
        .add(E {
            data: b"x",
            mode: 0o2711,
            uid: 0,
            gid: 42,
            ..e(EntryType::Regular, "bin/sgid")
        })
        .add(E {
            mode: 0o2775,
            gid: 50,
            ..e(EntryType::Directory, "srv/shared")
        })
        .add(E {
            mode: 0o1777,
            ..e(EntryType::Directory, "tmp")
        })
        .add(E {
            data: b"secret",
            mode: 0o000,
            uid: 65534,
            gid: 65534,
            ..e(EntryType::Regular, "srv/shared/locked")
        })
        .add(E {
            mode: 0o555,
            ..e(EntryType::Directory, "ro")
        })
        .file("ro/inside", b"written after the directory")
        .add(E {
            link: b"target",
            uid: 123,
            gid: 456,
            ..e(EntryType::Symlink, "owned-link")
        })
        .add(E {
            uid: 4_000_000_000,
            gid: 4_000_000_001,
            ..e(EntryType::Regular, "big-ids")
        })
        .bytes();
    env.unpack(&tar).unwrap();
    let check = |rel: &str, mode: u32, uid: u32, gid: u32| {
        let md = env.lstat(rel);
        assert_eq!(md.mode() & 0o7777, mode, "{rel} mode");
        assert_eq!((md.uid(), md.gid()), (uid, gid), "{rel} owner");
    };
    check("bin/suid", 0o4755, 1000, 1000);
    check("bin/sgid", 0o2711, 0, 42);
    check("srv/shared", 0o2775, 0, 50);
    check("tmp", 0o1777, 0, 0);
    check("ro", 0o555, 0, 0);
    // Created inside a setgid directory: still the entry's own group.
    check("srv/shared/locked", 0o000, 65534, 65534);
    check("owned-link", 0o777, 123, 456);
    check("big-ids", 0o644, 4_000_000_000, 4_000_000_001);
    // Implicit parents: 0755, root-owned.
    check("bin", 0o755, 0, 0);
    check("srv", 0o755, 0, 0);
    assert_eq!(
        fs::read(env.path("ro/inside")).unwrap(),
        b"written after the directory"
    );
}

#[test]
fn implicit_parents_ignore_umask_and_setgid() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            mode: 0o2770,
            gid: 77,
            ..e(EntryType::Directory, "g")
        })
        .file("g/implicit/f", b"x")
        .bytes();
    env.unpack(&tar).unwrap();
    let md = env.lstat("g/implicit");
    assert_eq!(md.mode() & 0o7777, 0o755);
    assert_eq!((md.uid(), md.gid()), (0, 0));
}

#[test]
fn xattrs_are_applied() {
    // struct vfs_cap_data, revision 2, effective, CAP_NET_BIND_SERVICE.
    let mut cap = Vec::new();
    cap.extend_from_slice(&0x0200_0001u32.to_le_bytes());
    cap.extend_from_slice(&(1u32 << 10).to_le_bytes());
    cap.extend_from_slice(&[0; 12]);
    let env = Env::new();
    let tar = Tar::new()
        .pax(&[
            ("SCHILY.xattr.user.comment", b"hello world"),
            ("SCHILY.xattr.security.capability", &cap),
            ("SCHILY.xattr.trusted.thing", b"\x00binary\xff"),
        ])
        .add(E {
            data: b"\x7fELF",
            mode: 0o755,
            uid: 1000,
            gid: 1000,
            ..e(EntryType::Regular, "bin/ping")
        })
        .pax(&[("SCHILY.xattr.trusted.dir", b"d")])
        .dir("d/")
        .pax(&[
            ("SCHILY.xattr.trusted.link", b"l"),
            // Not allowed on symlinks by the kernel: ignored, like Docker.
            ("SCHILY.xattr.user.link", b"u"),
        ])
        .symlink("link", "bin/ping")
        .pax(&[("SCHILY.xattr.trusted.fifo", b"f")])
        .add(e(EntryType::Fifo, "fifo"))
        .bytes();
    env.unpack(&tar).unwrap();
    let ping = env.path("bin/ping");
    assert_eq!(
        lgetxattr(&ping, "user.comment"),
        Some(b"hello world".to_vec())
    );
    assert_eq!(lgetxattr(&ping, "security.capability"), Some(cap));
    assert_eq!(
        lgetxattr(&ping, "trusted.thing"),
        Some(b"\x00binary\xff".to_vec())
    );
    assert_eq!(env.lstat("bin/ping").uid(), 1000);
    assert_eq!(
        lgetxattr(&env.path("d"), "trusted.dir"),
        Some(b"d".to_vec())
    );
    assert_eq!(
        lgetxattr(&env.path("link"), "trusted.link"),
        Some(b"l".to_vec())
    );
    assert_eq!(lgetxattr(&env.path("link"), "user.link"), None);
    assert_eq!(
        lgetxattr(&env.path("fifo"), "trusted.fifo"),
        Some(b"f".to_vec())
    );
    // Nothing leaked to the symlink's target.
    assert_eq!(lgetxattr(&ping, "trusted.link"), None);
}

#[test]
fn mtimes_of_files_symlinks_and_directories() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            mtime: 1_200_000_000,
            ..e(EntryType::Directory, "t/")
        })
        .add(E {
            mtime: 1_000_000_000,
            data: b"x",
            ..e(EntryType::Regular, "t/file")
        })
        .add(E {
            mtime: 1_100_000_000,
            link: b"file",
            ..e(EntryType::Symlink, "t/link")
        })
        .add(E {
            mtime: 1_300_000_000,
            ..e(EntryType::Directory, "t/sub/")
        })
        .file("t/sub/later", b"added after the directory entry")
        .pax(&[("mtime", b"1400000000.25"), ("atime", b"1400000001.5")])
        .file("precise", b"x")
        .pax(&[("mtime", b"-1.5")])
        .file("negative", b"x")
        .add(E {
            mtime: 1_500_000_000,
            ..e(EntryType::Fifo, "fifo")
        })
        .bytes();
    env.unpack(&tar).unwrap();
    let mtime = |rel: &str| {
        let md = env.lstat(rel);
        (md.mtime(), md.mtime_nsec())
    };
    assert_eq!(mtime("t"), (1_200_000_000, 0));
    assert_eq!(mtime("t/file"), (1_000_000_000, 0));
    assert_eq!(mtime("t/link"), (1_100_000_000, 0));
    assert_eq!(mtime("t/sub"), (1_300_000_000, 0));
    assert_eq!(mtime("precise"), (1_400_000_000, 250_000_000));
    assert_eq!(env.lstat("precise").atime(), 1_400_000_001);
    assert_eq!(env.lstat("precise").atime_nsec(), 500_000_000);
    assert_eq!(mtime("negative"), (-2, 500_000_000));
    assert_eq!(mtime("fifo"), (1_500_000_000, 0));
    assert_eq!(env.lstat("t/file").atime(), 1_000_000_000);
}

#[test]
fn root_entry_sets_layer_directory_metadata() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            mode: 0o750,
            mtime: 1_234_567_890,
            gid: 5,
            ..e(EntryType::Directory, "./")
        })
        .file("./etc/motd", b"hi")
        .bytes();
    env.unpack(&tar).unwrap();
    let md = fs::metadata(&env.dest).unwrap();
    assert_eq!(md.mode() & 0o7777, 0o750);
    assert_eq!(md.gid(), 5);
    assert_eq!(md.mtime(), 1_234_567_890);
    assert_eq!(fs::read(env.path("etc/motd")).unwrap(), b"hi");
}

#[test]
fn devices_and_fifos() {
    let env = Env::new();
    let tar = Tar::new()
        .add(E {
            mode: 0o666,
            dev: (1, 3),
            ..e(EntryType::Char, "dev/null")
        })
        .add(E {
            mode: 0o660,
            gid: 6,
            dev: (259, 70_000),
            ..e(EntryType::Block, "dev/odd")
        })
        .add(E {
            mode: 0o620,
            ..e(EntryType::Fifo, "run/fifo")
        })
        .bytes();
    env.unpack(&tar).unwrap();
    let null = env.lstat("dev/null");
    assert!(null.file_type().is_char_device());
    assert_eq!((stat::major(null.rdev()), stat::minor(null.rdev())), (1, 3));
    assert_eq!(null.mode() & 0o7777, 0o666);
    let odd = env.lstat("dev/odd");
    assert!(odd.file_type().is_block_device());
    assert_eq!(
        (stat::major(odd.rdev()), stat::minor(odd.rdev())),
        (259, 70_000)
    );
    assert_eq!((odd.mode() & 0o7777, odd.gid()), (0o660, 6));
    let fifo = env.lstat("run/fifo");
    assert!(fifo.file_type().is_fifo());
    assert_eq!(fifo.mode() & 0o7777, 0o620);
}

#[test]
fn later_entries_replace_earlier_ones() {
    let env = Env::new();
    let tar = Tar::new()
        // file replaced by a directory
        .file("r1", b"file")
        .dir("r1/")
        .file("r1/child", b"c")
        // directory (with content) replaced by a file
        .dir("r2/")
        .file("r2/child", b"c")
        .dir("r2/sub/")
        .file("r2/sub/deeper", b"d")
        .symlink("r2/sub/link", "/")
        .file("r2", b"now a file")
        // file replaced by a symlink, symlink by a file
        .file("r3", b"x")
        .symlink("r3", "target")
        .symlink("r4", "target")
        .file("r4", b"now a file")
        // file content replaced
        .file("r5", b"old content that is longer")
        .file("r5", b"new")
        // directory listed twice keeps its children, takes the new mode
        .dir("r6/")
        .file("r6/kept", b"k")
        .add(E {
            mode: 0o700,
            ..e(EntryType::Directory, "r6/")
        })
        // hard link replacing a file
        .file("r7", b"old")
        .file("r7-target", b"target")
        .hardlink("r7", "r7-target")
        .bytes();
    env.unpack(&tar).unwrap();
    assert!(env.lstat("r1").is_dir());
    assert_eq!(fs::read(env.path("r1/child")).unwrap(), b"c");
    assert!(env.lstat("r2").is_file());
    assert_eq!(fs::read(env.path("r2")).unwrap(), b"now a file");
    assert_eq!(fs::read_link(env.path("r3")).unwrap(), Path::new("target"));
    assert_eq!(fs::read(env.path("r4")).unwrap(), b"now a file");
    assert_eq!(fs::read(env.path("r5")).unwrap(), b"new");
    assert_eq!(fs::read(env.path("r6/kept")).unwrap(), b"k");
    assert_eq!(env.lstat("r6").mode() & 0o7777, 0o700);
    assert_eq!(env.lstat("r7").ino(), env.lstat("r7-target").ino());
    env.assert_outside_untouched();
}

#[test]
fn deep_directory_replaced_by_file() {
    let env = Env::new();
    let mut tar = Tar::new();
    let mut path = String::from("top");
    for i in 0..300 {
        path.push_str(&format!("/{i}"));
    }
    tar.file(&format!("{path}/leaf"), b"x").file("top", b"flat");
    env.unpack(&tar.bytes()).unwrap();
    assert_eq!(fs::read(env.path("top")).unwrap(), b"flat");
}

#[test]
fn gnu_sparse_files_are_expanded() {
    let env = Env::new();
    let mut h = Header::new_gnu();
    h.as_old_mut().name[..6].copy_from_slice(b"sparse");
    h.set_entry_type(EntryType::GNUSparse);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_size(512); // bytes stored in the archive
    let octal = |slot: &mut [u8; 12], v: u64| {
        let text = format!("{v:011o}\0");
        slot.copy_from_slice(text.as_bytes());
    };
    let gnu = h.as_gnu_mut().unwrap();
    octal(&mut gnu.realsize, 8192);
    octal(&mut gnu.sparse[0].offset, 4096);
    octal(&mut gnu.sparse[0].numbytes, 512);
    octal(&mut gnu.sparse[1].offset, 8192); // trailing hole
    octal(&mut gnu.sparse[1].numbytes, 0);
    h.set_cksum();
    let mut tar = Tar::new();
    tar.builder.append(&h, &[b'x'; 512][..]).unwrap();
    let out = env.unpack(&tar.bytes()).unwrap();
    let data = fs::read(env.path("sparse")).unwrap();
    let mut expected = vec![0u8; 8192];
    expected[4096..4608].fill(b'x');
    assert_eq!(data, expected);
    assert_eq!(out.size, 8192);
}

#[test]
fn unsupported_entries_are_reported() {
    let env = Env::new();
    let tar = Tar::new()
        .pax(&[("GNU.sparse.major", b"1"), ("GNU.sparse.minor", b"0")])
        .file("sparse", b"x")
        .bytes();
    assert!(matches!(env.unpack(&tar), Err(UnpackError::Unsupported(_))));
    let env = Env::new();
    let tar = Tar::new().add(e(EntryType::new(b'V'), "volume")).bytes();
    assert!(matches!(env.unpack(&tar), Err(UnpackError::Unsupported(_))));
}

#[test]
fn pax_global_headers_and_old_style_directories() {
    let env = Env::new();
    let mut tar = Tar::new();
    let mut h = Header::new_ustar();
    h.set_path("pax_global_header").unwrap();
    h.set_entry_type(EntryType::XGlobalHeader);
    h.set_size(0);
    h.set_cksum();
    tar.builder.append(&h, &b""[..]).unwrap();
    tar.file("old-style-dir/", b"");
    env.unpack(&tar.bytes()).unwrap();
    assert!(env.lstat("old-style-dir").is_dir());
    assert!(!env.path("pax_global_header").exists());
}
