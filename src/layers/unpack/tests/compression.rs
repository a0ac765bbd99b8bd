//! Compression (none, gzip, zstd; sniffed or declared), the diff_id over the uncompressed
//! stream, and broken or truncated streams.

use super::*;
use crate::layers::unpack::pipeline::CHUNK_SIZE;

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
