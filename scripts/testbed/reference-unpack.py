#!/usr/bin/env python3
"""Reference layer unpacker: the test bed's own yardstick for tricky:latest.

    reference-unpack.py --registry HOST:PORT --image NAME:TAG --out DIR --mode apply
        fetches the image (linux/amd64), checks digests and diff_ids, and applies
        the layers in order into DIR with OCI whiteout semantics (per layer:
        first the whiteouts and opaque markers, which only hide lower layers,
        then the entries).
    ... --mode overlay
        extracts each layer into DIR/N (N = 0 for the bottom layer) in
        overlayfs format: .wh.NAME -> character device 0:0 NAME,
        .wh..wh..opq -> xattr trusted.overlay.opaque=y on the directory.
        Mount with: mount -t overlay overlay -o lowerdir=DIR/N:...:DIR/0 MNT

Written for trusted layers (tricky:latest): it refuses '..', absolute
names and paths through symlinks rather than handling them.  Needs root.
"""

import argparse
import gzip
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import push  # noqa: E402


def decompress(blob):
    if blob[:2] == b"\x1f\x8b":
        return gzip.decompress(blob)
    if blob[:4] == b"\x28\xb5\x2f\xfd":
        return subprocess.run(["zstd", "-d", "-q", "-c"], input=blob, check=True, capture_output=True).stdout
    return blob


def fetch_layers(reg, name):
    repo, _, tag = name.rpartition(":")
    raw, mt = reg.get_manifest(repo, tag)
    m = json.loads(raw)
    if mt in (push.OCI_INDEX, push.DOCKER_LIST):
        d = next(x for x in m["manifests"]
                 if x["platform"]["os"] == "linux" and x["platform"]["architecture"] == "amd64")
        m = json.loads(reg.get_manifest(repo, d["digest"])[0])
    config = json.loads(reg.get_blob(repo, m["config"]["digest"]))
    tars = []
    for desc, diff_id in zip(m["layers"], config["rootfs"]["diff_ids"]):
        tar = decompress(reg.get_blob(repo, desc["digest"]))
        if push.sha256_digest(tar) != diff_id:
            raise SystemExit(f"layer {desc['digest']}: diff_id mismatch")
        tars.append(tar)
    return tars


def components(name):
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if name.startswith("/") or ".." in parts:
        raise SystemExit(f"refusing entry {name!r}")
    return parts


def target_path(root, name, make_parents=True):
    """root/name, creating missing parents 0755 root:root; never through a symlink."""
    parts = components(name)
    cur = root
    for p in parts[:-1]:
        cur = os.path.join(cur, p)
        if os.path.islink(cur):
            raise SystemExit(f"refusing {name!r}: {cur} is a symlink")
        if not os.path.exists(cur):
            if not make_parents:
                return None
            os.mkdir(cur)
            os.chmod(cur, 0o755)
    return os.path.join(cur, parts[-1]) if parts else root


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def xattrs(member):
    for k, v in member.pax_headers.items():
        if k.startswith("SCHILY.xattr."):
            yield k[len("SCHILY.xattr."):], v.encode("utf-8", "surrogateescape")


def extract_entry(root, tar, m, dirs):
    path = target_path(root, m.name)
    if m.isdir():
        if os.path.lexists(path) and not (os.path.isdir(path) and not os.path.islink(path)):
            remove(path)
        if not os.path.exists(path):
            os.mkdir(path)
        dirs.append((path, m))  # metadata after the layer's contents
        return
    remove(path)
    if m.isreg():
        with open(path, "wb") as f:
            shutil.copyfileobj(tar.extractfile(m), f)
    elif m.issym():
        os.symlink(m.linkname, path)
    elif m.islnk():
        os.link(target_path(root, m.linkname, make_parents=False), path)
        return  # the inode's metadata is the link target's
    elif m.ischr() or m.isblk():
        kind = stat.S_IFCHR if m.ischr() else stat.S_IFBLK
        os.mknod(path, kind | m.mode, os.makedev(m.devmajor, m.devminor))
    elif m.isfifo():
        os.mkfifo(path)
    set_meta(path, m)


def set_meta(path, m):
    os.lchown(path, m.uid, m.gid)
    if not m.issym():
        os.chmod(path, m.mode)  # after chown, which clears setuid/setgid
        for k, v in xattrs(m):
            os.setxattr(path, k, v)
    os.utime(path, (int(m.mtime), int(m.mtime)), follow_symlinks=False)


def apply_layer(root, tar_bytes):
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), encoding="utf-8") as tar:
        members = tar.getmembers()
        # 1. Whiteouts and opaque markers hide what the lower layers have.
        for m in members:
            d, base = os.path.split(m.name)
            if base == ".wh..wh..opq":
                p = target_path(root, d, make_parents=False) if components(d) else root
                if p and os.path.isdir(p):
                    for child in os.listdir(p):
                        remove(os.path.join(p, child))
            elif base.startswith(".wh."):
                p = target_path(root, os.path.join(d, base[4:]), make_parents=False)
                if p:
                    remove(p)
        # 2. The entries themselves.
        dirs = []
        for m in members:
            if not os.path.basename(m.name).startswith(".wh."):
                extract_entry(root, tar, m, dirs)
        for path, m in reversed(dirs):
            set_meta(path, m)


def overlay_layer(root, tar_bytes):
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), encoding="utf-8") as tar:
        dirs, opaque = [], []
        for m in tar.getmembers():
            d, base = os.path.split(m.name)
            if base == ".wh..wh..opq":
                p = target_path(root, d) if components(d) else root
                if not os.path.exists(p):
                    os.mkdir(p)
                    os.chmod(p, 0o755)
                opaque.append(p)
            elif base.startswith(".wh."):
                os.mknod(target_path(root, os.path.join(d, base[4:])), stat.S_IFCHR, os.makedev(0, 0))
            else:
                extract_entry(root, tar, m, dirs)
        for path, m in reversed(dirs):
            set_meta(path, m)
        for path in opaque:
            os.setxattr(path, "trusted.overlay.opaque", b"y")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--registry", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--mode", choices=["apply", "overlay"], required=True)
    args = ap.parse_args()
    tars = fetch_layers(push.Registry(args.registry), args.image)
    os.makedirs(args.out)
    for i, tar in enumerate(tars):
        if args.mode == "apply":
            apply_layer(args.out, tar)
        else:
            d = os.path.join(args.out, str(i))
            os.mkdir(d)
            overlay_layer(d, tar)


if __name__ == "__main__":
    main()
