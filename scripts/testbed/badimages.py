"""Deliberately broken images (bad/*) for berth's negative tests.

Each builder returns (Image, record-extras, post_blob_hook).  The hook, if
any, runs after the blobs are uploaded and before the manifest is PUT (so a
manifest present in the registry implies the sabotage was done).

The escape images' entries are written raw with tarfile, so nothing is
sanitised.  `canaries` in images.json lists host paths that must NOT exist
after pulling / mounting / running the image; `host_files_unchanged` lists
host files whose content and link count must not change.
"""

import hashlib
import os

import layers as L
import push

DEEP = "../" * 12  # enough ".." to climb to / from any storage directory


def _image(tars, history, diff_ids=None):
    layers = [L.Layer.from_tar(t, "gzip") for t in tars]
    config = L.make_config(layers, history, {"Env": [L.DEFAULT_PATH], "Cmd": ["/bin/true"]},
                           diff_ids=diff_ids)
    return L.Image(layers, config, oci=True)


def _readme(t, name):
    t.file("README", f"berth test bed: {name}\n")


def digest_mismatch(registry_data):
    """The registry serves, for the layer digest, other bytes of the same
    length: a valid gzip of a valid tar whose file says EVIL instead of GOOD.
    Only digest verification can tell."""
    def tar_with(word):
        t = L.TarBuilder()
        _readme(t, "bad/digest-mismatch")
        t.file("payload", (word * 1024).encode())
        return t.bytes()

    good, evil = tar_with("GOOD"), tar_with("EVIL")
    # Level 0 (stored blocks): the gzip size depends only on the input size.
    good_gz, evil_gz = L.gzip_bytes(good, 0), L.gzip_bytes(evil, 0)
    assert len(good_gz) == len(evil_gz)
    layer = L.Layer(push.OCI_LAYER_GZIP, L.sha256(good), data=good_gz)
    config = L.make_config([layer], ["berth-testbed bad/digest-mismatch"], {"Cmd": ["/bin/true"]})
    image = L.Image([layer], config, oci=True)

    def sabotage():
        hexd = layer.digest.split(":", 1)[1]
        data = os.path.join(registry_data, "docker/registry/v2/blobs/sha256", hexd[:2], hexd, "data")
        with open(data, "r+b") as f:
            assert len(f.read()) == len(evil_gz)
            f.seek(0)
            f.write(evil_gz)
    extra = {"expect": "pull fails: layer blob content does not match its digest",
             "served_sha256": L.sha256(evil_gz)}
    return image, extra, sabotage


def truncated_gzip(_):
    t = L.TarBuilder()
    _readme(t, "bad/truncated-gzip")
    # Incompressible content so that the truncated half still holds data.
    blob, h = b"", b"seed"
    while len(blob) < 64 * 1024:
        h = hashlib.sha256(h).digest()
        blob += h
    t.file("random.bin", blob)
    full = t.bytes()
    gz = L.gzip_bytes(full)
    layer = L.Layer(push.OCI_LAYER_GZIP, L.sha256(full), data=gz[: len(gz) // 2])
    config = L.make_config([layer], ["berth-testbed bad/truncated-gzip"], {"Cmd": ["/bin/true"]})
    return L.Image([layer], config, oci=True), {
        "expect": "pull fails: layer is a truncated gzip stream (digest matches the truncated bytes; "
                  "diff_id is the full tar's)"}, None


def diffid_mismatch(_):
    t = L.TarBuilder()
    _readme(t, "bad/diffid-mismatch")
    t.file("hello", "hello\n")
    wrong = L.sha256(b"this is not the uncompressed layer")
    return _image([t.bytes()], ["berth-testbed bad/diffid-mismatch"], diff_ids=[wrong]), {
        "expect": "pull fails: config rootfs.diff_ids does not match the uncompressed layer"}, None


def escape_dotdot(_):
    t = L.TarBuilder()
    _readme(t, "bad/escape-dotdot")
    t.file(DEEP + "tmp/berth-escape-dotdot-PWNED", "pwned\n")
    t.file("../../escape-dotdot-PWNED", "pwned\n")
    return _image([t.bytes()], ["berth-testbed bad/escape-dotdot"]), {
        "expect": "pull fails, or the '..' entries are dropped; nothing written outside the rootfs",
        "canaries": ["/tmp/berth-escape-dotdot-PWNED"],
        "relative_canaries": ["../../escape-dotdot-PWNED"]}, None


def escape_absolute(_):
    t = L.TarBuilder()
    _readme(t, "bad/escape-absolute")
    t.file("/tmp/berth-escape-absolute-PWNED", "pwned\n")
    return _image([t.bytes()], ["berth-testbed bad/escape-absolute"]), {
        "expect": "pull fails, or the entry is re-rooted (Docker's behaviour: it becomes "
                  "/tmp/berth-escape-absolute-PWNED INSIDE the image); never written on the host",
        "canaries": ["/tmp/berth-escape-absolute-PWNED"]}, None


def escape_symlink(_):
    t = L.TarBuilder()
    _readme(t, "bad/escape-symlink")
    t.symlink("evil", "/tmp")
    t.file("evil/berth-escape-symlink-PWNED", "pwned\n")
    return _image([t.bytes()], ["berth-testbed bad/escape-symlink"]), {
        "expect": "pull fails, or the file lands inside the rootfs; never through the symlink",
        "canaries": ["/tmp/berth-escape-symlink-PWNED"]}, None


def escape_symlink_rel(_):
    t = L.TarBuilder()
    _readme(t, "bad/escape-symlink-rel")
    t.symlink("evil", "../../../../../../../../../../../../tmp")
    t.file("evil/berth-escape-symlink-rel-PWNED", "pwned\n")
    return _image([t.bytes()], ["berth-testbed bad/escape-symlink-rel"]), {
        "expect": "pull fails, or the file lands inside the rootfs; never through the symlink",
        "canaries": ["/tmp/berth-escape-symlink-rel-PWNED"]}, None


def escape_hardlink(_):
    t = L.TarBuilder()
    _readme(t, "bad/escape-hardlink")
    t.hardlink("evil", DEEP + "etc/hostname")
    return _image([t.bytes()], ["berth-testbed bad/escape-hardlink"]), {
        "expect": "pull fails, or no link is made to a host file",
        "host_files_unchanged": ["/etc/hostname"]}, None


def escape_hardlink_abs(_):
    t = L.TarBuilder()
    _readme(t, "bad/escape-hardlink-abs")
    t.hardlink("evil", "/etc/hostname")
    return _image([t.bytes()], ["berth-testbed bad/escape-hardlink-abs"]), {
        "expect": "pull fails (Docker: the link name is taken inside the rootfs, where "
                  "/etc/hostname does not exist), or no link is made to a host file",
        "host_files_unchanged": ["/etc/hostname"]}, None


def escape_symlink_then_hardlink(_):
    t = L.TarBuilder()
    _readme(t, "bad/escape-symlink-then-hardlink")
    t.symlink("s", "/etc")
    t.hardlink("h", "s/hostname")
    return _image([t.bytes()], ["berth-testbed bad/escape-symlink-then-hardlink"]), {
        "expect": "pull fails, or no link is made to a host file",
        "host_files_unchanged": ["/etc/hostname"]}, None


def escape_symlink_layer(_):
    t1 = L.TarBuilder()
    _readme(t1, "bad/escape-symlink-layer")
    t1.symlink("evil", "/tmp")
    t2 = L.TarBuilder()
    t2.file("evil/berth-escape-layer-PWNED", "pwned\n")
    return _image([t1.bytes(), t2.bytes()], ["berth-testbed bad/escape-symlink-layer: symlink",
                                             "berth-testbed bad/escape-symlink-layer: file"]), {
        "expect": "pull fails, or /evil becomes a directory inside the image holding the file "
                  "(overlayfs semantics); never written through the lower layer's symlink",
        "canaries": ["/tmp/berth-escape-layer-PWNED"]}, None


# name -> builder(registry_data_dir)
BAD = {
    "bad/digest-mismatch": digest_mismatch,
    "bad/truncated-gzip": truncated_gzip,
    "bad/diffid-mismatch": diffid_mismatch,
    "bad/escape-dotdot": escape_dotdot,
    "bad/escape-absolute": escape_absolute,
    "bad/escape-symlink": escape_symlink,
    "bad/escape-symlink-rel": escape_symlink_rel,
    "bad/escape-hardlink": escape_hardlink,
    "bad/escape-hardlink-abs": escape_hardlink_abs,
    "bad/escape-symlink-then-hardlink": escape_symlink_then_hardlink,
    "bad/escape-symlink-layer": escape_symlink_layer,
}
