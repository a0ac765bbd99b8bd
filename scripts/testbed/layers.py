"""Layer (tar) and image (config/manifest) building helpers for the berth test bed.

Everything here is deterministic: tar entries are written in the order given
(or sorted, for directory trees), with explicit numeric owners, no user/group
names, integer mtimes unless a float is asked for, and gzip streams carry
mtime 0.  So the same inputs give the same digests on every machine.
"""

import gzip
import hashlib
import io
import json
import os
import stat
import subprocess
import tarfile

import push

# Default mtime for hand-made entries: 2023-11-14T22:13:20Z.
DEFAULT_MTIME = 1700000000
# `created` timestamp written into image configs.
CREATED = "2024-01-01T00:00:00Z"
DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class TarBuilder:
    """Writes a layer tar entry by entry, exactly as told (no sanitising).

    Names are archive names ("etc/passwd"; no leading "/" unless you mean it).
    `xattrs` become PAX `SCHILY.xattr.NAME` records (PAX format only).
    """

    def __init__(self, fmt=tarfile.PAX_FORMAT, mtime=DEFAULT_MTIME):
        self.buf = io.BytesIO()
        # encoding utf-8 so UTF-8 names are stored as bytes in every format.
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=fmt, encoding="utf-8")
        self.mtime = mtime

    def _info(self, name, typ, mode, uid, gid, mtime, xattrs):
        ti = tarfile.TarInfo(name)
        ti.type = typ
        ti.mode = mode
        ti.uid, ti.gid = uid, gid
        ti.uname = ti.gname = ""
        ti.mtime = self.mtime if mtime is None else mtime
        if xattrs:
            ti.pax_headers = {f"SCHILY.xattr.{k}": v for k, v in xattrs.items()}
        return ti

    def dir(self, name, mode=0o755, uid=0, gid=0, mtime=None, xattrs=None):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode, uid, gid, mtime, xattrs))

    def file(self, name, data=b"", mode=0o644, uid=0, gid=0, mtime=None, xattrs=None):
        if isinstance(data, str):
            data = data.encode()
        ti = self._info(name, tarfile.REGTYPE, mode, uid, gid, mtime, xattrs)
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))

    def symlink(self, name, target, uid=0, gid=0, mtime=None):
        ti = self._info(name, tarfile.SYMTYPE, 0o777, uid, gid, mtime, None)
        ti.linkname = target
        self.tar.addfile(ti)

    def hardlink(self, name, target, mode=0o644, uid=0, gid=0, mtime=None):
        """Hard link `name` to the earlier archive member `target`."""
        ti = self._info(name, tarfile.LNKTYPE, mode, uid, gid, mtime, None)
        ti.linkname = target
        self.tar.addfile(ti)

    def whiteout(self, name):
        """Delete `name` (from lower layers): an empty file DIR/.wh.BASE."""
        d, b = os.path.split(name)
        self.file(os.path.join(d, ".wh." + b), b"", mode=0o600)

    def opaque(self, dirname):
        """Hide everything lower layers have under `dirname`."""
        self.file(os.path.join(dirname, ".wh..wh..opq"), b"", mode=0o600)

    def addfile(self, tarinfo, data=None):
        """Raw entry, for deliberately odd archives."""
        self.tar.addfile(tarinfo, io.BytesIO(data) if data is not None else None)

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def gzip_bytes(data, level=6):
    return gzip.compress(data, compresslevel=level, mtime=0)


def zstd_bytes(data, level=3):
    return subprocess.run(
        ["zstd", "-q", "-c", f"-{level}", "--no-progress"], input=data, check=True, capture_output=True
    ).stdout


class Layer:
    """A layer blob: bytes in memory (`data`) or a file (`path`)."""

    def __init__(self, media_type, diff_id, data=None, path=None, digest=None, size=None):
        self.media_type = media_type
        self.diff_id = diff_id
        self.data = data
        self.path = path
        if data is not None:
            self.digest = digest or sha256(data)
            self.size = len(data)
        else:
            self.digest, self.size = digest, size
            if digest is None:
                self.digest, self.size = push.sha256_file(path)

    @classmethod
    def from_tar(cls, tar, compression="gzip", oci=True):
        """Compress an uncompressed layer tar (bytes)."""
        diff_id = sha256(tar)
        if compression == "gzip":
            mt = push.OCI_LAYER_GZIP if oci else push.DOCKER_LAYER_GZIP
            return cls(mt, diff_id, data=gzip_bytes(tar))
        if compression == "zstd":
            assert oci, "zstd layers need OCI media types"
            return cls(push.OCI_LAYER_ZSTD, diff_id, data=zstd_bytes(tar))
        raise ValueError(compression)

    def with_media_type(self, media_type):
        """Same blob, described with another media type (docker <-> OCI)."""
        return Layer(media_type, self.diff_id, self.data, self.path, self.digest, self.size)

    def descriptor(self):
        return {"mediaType": self.media_type, "size": self.size, "digest": self.digest}

    def push(self, reg, repo):
        if self.data is not None:
            reg.push_blob(repo, data=self.data, digest=self.digest)
        else:
            reg.push_blob(repo, path=self.path, digest=self.digest)


def canonical_json(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def make_config(layers, history, config, arch="amd64", variant=None, diff_ids=None):
    """An image config blob (bytes).  `history` is a list of created_by
    strings, or dicts for entries that need more (e.g. empty_layer)."""
    cfg = {
        "architecture": arch,
        "os": "linux",
        "created": CREATED,
        "config": config,
        "rootfs": {
            "type": "layers",
            "diff_ids": diff_ids if diff_ids is not None else [l.diff_id for l in layers],
        },
        "history": [
            dict({"created": CREATED}, **(h if isinstance(h, dict) else {"created_by": h}))
            for h in history
        ],
    }
    if variant:
        cfg["variant"] = variant
    return canonical_json(cfg)


class Image:
    """One manifest with its config and layers, ready to push."""

    def __init__(self, layers, config, oci=True, annotations=None):
        self.layers = layers
        self.config = config
        self.oci = oci
        self.media_type = push.OCI_MANIFEST if oci else push.DOCKER_MANIFEST
        manifest = {
            "schemaVersion": 2,
            "mediaType": self.media_type,
            "config": {
                "mediaType": push.OCI_CONFIG if oci else push.DOCKER_CONFIG,
                "size": len(config),
                "digest": sha256(config),
            },
            "layers": [l.descriptor() for l in layers],
        }
        if annotations:
            manifest["annotations"] = annotations
        self.raw = json.dumps(manifest, indent=3).encode()
        self.digest = sha256(self.raw)
        self.config_digest = sha256(config)

    def push_blobs(self, reg, repo):
        for layer in self.layers:
            layer.push(reg, repo)
        reg.push_blob(repo, data=self.config)

    def push(self, reg, repo, ref):
        self.push_blobs(reg, repo)
        return reg.put_manifest(repo, ref, self.raw, self.media_type)

    def record(self):
        """What images.json says about this image."""
        cfg = json.loads(self.config)
        return {
            "manifest": self.digest,
            "mediaType": self.media_type,
            "size": len(self.raw),
            "config": self.config_digest,
            "platform": "/".join(
                x for x in (cfg.get("os"), cfg.get("architecture"), cfg.get("variant")) if x
            ),
            "layers": [
                {"digest": l.digest, "diffID": d, "mediaType": l.media_type, "size": l.size}
                for l, d in zip(self.layers, cfg["rootfs"]["diff_ids"])
            ],
        }


def tar_directory(root, out_path, exclude_contents=(), meta=None):
    """Write a deterministic PAX tar of the tree `root` to out_path.

    Entries are sorted; uname/gname dropped; mtimes truncated to seconds;
    device nodes, sockets and fifos skipped; the contents (not the directory
    itself) of each path in `exclude_contents` ("dev", "proc", ...) skipped;
    xattrs (e.g. security.capability) kept as SCHILY.xattr records.
    If `meta` is a dict, it is filled with path -> signature for diffing.
    """
    with open(out_path, "wb") as out, tarfile.open(
        fileobj=out, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8"
    ) as tar:
        for rel, st in walk_tree(root, exclude_contents):
            add_path(tar, root, rel, st)
            if meta is not None:
                meta[rel] = signature(os.path.join(root, rel), st)


def walk_tree(root, exclude_contents=()):
    """Yield (relpath, lstat) for every path below root, sorted, parents first."""
    excluded = set(exclude_contents)

    def rec(rel):
        full = os.path.join(root, rel) if rel else root
        for name in sorted(os.listdir(full)):
            r = os.path.join(rel, name) if rel else name
            st = os.lstat(os.path.join(root, r))
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                continue
            if stat.S_ISSOCK(st.st_mode) or stat.S_ISFIFO(st.st_mode):
                continue
            yield r, st
            if stat.S_ISDIR(st.st_mode) and r not in excluded:
                yield from rec(r)

    yield from rec("")


def add_path(tar, root, rel, st):
    """Add one path of a directory tree to `tar` (hard links via tar's inode map)."""
    full = os.path.join(root, rel)
    ti = tar.gettarinfo(full, arcname=rel)
    ti.uname = ti.gname = ""
    ti.mtime = int(st.st_mtime)
    xattrs = {}
    try:
        for name in os.listxattr(full, follow_symlinks=False):
            if name.startswith("security.selinux"):
                continue
            value = os.getxattr(full, name, follow_symlinks=False)
            xattrs["SCHILY.xattr." + name] = value.decode("utf-8", "surrogateescape")
    except OSError:
        pass
    if xattrs:
        ti.pax_headers = xattrs
    if ti.isreg():
        with open(full, "rb") as f:
            tar.addfile(ti, f)
    else:
        tar.addfile(ti)


def signature(full, st):
    """What makes a path 'changed' between two snapshots of a tree."""
    kind = stat.S_IFMT(st.st_mode)
    sig = (kind, st.st_mode, st.st_uid, st.st_gid, int(st.st_mtime))
    if stat.S_ISREG(st.st_mode):
        h = hashlib.sha256()
        with open(full, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return sig + (st.st_size, h.hexdigest(), (st.st_dev, st.st_ino))
    if stat.S_ISLNK(st.st_mode):
        return sig + (os.readlink(full),)
    return sig


def tar_diff(root, before, out_path, exclude_contents=()):
    """Write a layer tar holding what changed in `root` since snapshot `before`
    (a dict from tar_directory's `meta`): new or changed paths, plus
    whiteouts (.wh.NAME) for deleted ones.  Returns (added, deleted) counts."""
    after = {}
    for rel, st in walk_tree(root, exclude_contents):
        after[rel] = (st, signature(os.path.join(root, rel), st))

    def same(old, new):
        # Compare everything but the inode (hard-link identity) field.
        return old[:-1] == new[:-1] if len(old) == 8 and len(new) == 8 else old == new

    changed = {rel for rel, (_, sig) in after.items() if rel not in before or not same(before[rel], sig)}
    # A changed member of a hard-link group drags in the whole group, so the
    # link entries in this layer never point at a file of a lower layer.
    groups = {}
    for rel, (st, sig) in after.items():
        if len(sig) == 8 and st.st_nlink > 1:
            groups.setdefault(sig[-1], []).append(rel)
    for members in groups.values():
        if any(m in changed for m in members):
            changed.update(members)
    deleted = sorted(rel for rel in before if rel not in after)
    # Whiteout only the topmost deleted path of a deleted subtree.
    tops = [d for d in deleted if os.path.dirname(d) == "" or os.path.dirname(d) not in set(deleted)]
    with open(out_path, "wb") as out, tarfile.open(
        fileobj=out, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8"
    ) as tar:
        for rel, (st, _) in after.items():  # insertion order = sorted walk
            if rel in changed:
                add_path(tar, root, rel, st)
        for d in tops:
            parent, base = os.path.split(d)
            ti = tarfile.TarInfo(os.path.join(parent, ".wh." + base))
            ti.mode, ti.mtime = 0o600, DEFAULT_MTIME
            tar.addfile(ti)
    return len(changed), len(tops)
