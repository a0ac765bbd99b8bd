"""tricky:latest -- a multi-layer image exercising every layer-application corner case.

The merged root filesystem it must produce is written down, entry by entry, in
tricky-expected.json beside this file (compare with merged-tree.py).  The
layers are fully deterministic, so if you change anything here regenerate
that file (scripts/testbed/selftest does it with two independent reference
methods and shows the difference) and review the diff by hand.

Layers (in order):
  1. PAX tar, gzip:  the base tree (modes, owners, links, long names, xattr, mtimes)
  -  history-only entry (empty_layer: true)
  2. GNU tar, zstd:  whiteouts, opaque dir, file<->dir replacements, GNU long names
  3. PAX tar, gzip:  rewrite one name of a hard-linked pair, whiteout a hard link,
                     symlink -> file, file -> symlink
  4. an empty tar (no entries), gzip
"""

import tarfile

import layers as L

LONG_DIR = "long/" + "d" * 120
LONG_FILE = LONG_DIR + "/" + "f" * 150 + ".txt"  # PAX path record (component > 100 bytes)
LONG_HARDLINK = LONG_DIR + "/hl-" + "h" * 110  # PAX path and linkpath
GNU_NAME = "long2/" + "g" * 200  # GNU ././@LongLink
GNU_LINK = "long2/link-" + "l" * 120  # GNU long name and long link name
UTF8_NAME = "names/ünïcödé файл 文件 😀.txt"


def layer1():
    t = L.TarBuilder(tarfile.PAX_FORMAT)
    t.file("root-file.txt", "at the root\n")
    # A merged directory: layer 2 changes its metadata and a file in it.
    t.dir("a")
    t.dir("a/b")
    t.dir("a/b/c")
    t.file("a/b/c/file.txt", "original\n")
    # File whiteout target (layer 2 whites out gone.txt).
    t.dir("wh-file")
    t.file("wh-file/keep.txt", "keep\n")
    t.file("wh-file/gone.txt", "gone\n")
    # Directory whiteout target (layer 2: .wh.wh-dir at the root).
    t.dir("wh-dir")
    t.dir("wh-dir/sub")
    t.file("wh-dir/sub/x.txt", "x\n")
    t.file("wh-dir/y.txt", "y\n")
    # Opaque directory target (layer 2 makes opq opaque and adds new.txt).
    t.dir("opq", mode=0o750)
    t.file("opq/old1.txt", "old1\n")
    t.dir("opq/olddir")
    t.file("opq/olddir/y.txt", "y\n")
    # Replacements in layer 2.
    t.file("file2dir", "i am a file\n")
    t.dir("dir2file")
    t.file("dir2file/child.txt", "child\n")
    t.dir("dir2file/subdir")
    # Symlinks: relative, absolute, dangling, to a directory, a loop, and a
    # target longer than 100 bytes (PAX linkpath).
    t.dir("links")
    t.symlink("links/rel", "../a/b/c/file.txt")
    t.symlink("links/abs", "/a/b/c/file.txt")
    t.symlink("links/dangling", "/nonexistent/target")
    t.symlink("links/dirlink", "../a")  # layer 3 replaces it with a file
    t.symlink("links/loop", "loop")
    t.symlink("links/long-target", "../" + "t" * 150)
    # Hard links: a triple (layer 3 whites out one name) and a pair (layer 3
    # rewrites `two`; `one` must keep the old content).
    t.dir("hl")
    t.file("hl/orig.txt", "hardlinked\n", mode=0o640)
    t.hardlink("hl/link1.txt", "hl/orig.txt", mode=0o640)
    t.hardlink("hl/link2.txt", "hl/orig.txt", mode=0o640)
    t.dir("hl2")
    t.file("hl2/one", "old content\n")
    t.hardlink("hl2/two", "hl2/one")
    # Special mode bits (no umask may apply).
    t.dir("modes")
    t.file("modes/setuid", "#!/bin/sh\n", mode=0o4755)
    t.file("modes/setgid", "#!/bin/sh\n", mode=0o2755)
    t.file("modes/setuid-setgid", "#!/bin/sh\n", mode=0o6755)
    t.dir("modes/sticky-dir", mode=0o1777)
    t.dir("modes/setgid-dir", mode=0o2775)
    t.file("modes/ro", "read only\n", mode=0o444)
    t.file("modes/none", "no permissions\n", mode=0o000)
    t.file("modes/all", "all permissions\n", mode=0o777)
    t.dir("modes/private", mode=0o700)
    # Owners other than root (3000000 does not fit ustar's 7 octal digits -> PAX).
    t.dir("owners")
    t.file("owners/f1234", "owned by 1234:5678\n", mode=0o640, uid=1234, gid=5678)
    t.dir("owners/d99", mode=0o750, uid=99, gid=99)
    t.file("owners/d99/inner", "99\n", uid=99, gid=99)
    t.symlink("owners/link", "f1234", uid=1234, gid=5678)
    t.file("owners/nobody", "65534\n", uid=65534, gid=65534)
    t.file("owners/huge", "3000000\n", uid=3000000, gid=3000001)
    # Long names (PAX).
    t.dir("long")
    t.dir(LONG_DIR)
    t.file(LONG_FILE, "long name\n")
    t.hardlink(LONG_HARDLINK, LONG_FILE)
    # Spaces, UTF-8, leading dash, dot file.
    t.dir("names")
    t.file("names/with space.txt", "space\n")
    t.file(UTF8_NAME, "utf-8\n")
    t.dir("names/dir with spaces")
    t.file("names/dir with spaces/inner file", "inner\n")
    t.file("names/-leading-dash", "dash\n")
    t.file("names/.hidden", "hidden\n")
    # An empty directory.
    t.dir("empty", mode=0o711)
    # A user xattr carried as PAX SCHILY.xattr.
    t.dir("xattr")
    t.file("xattr/file", "has xattrs\n", xattrs={"user.berth": "hello", "user.second": "2"})
    # Specific mtimes: 2001, past 2038 and past ustar's 11 octal digits (PAX),
    # a fractional one (PAX; expected value is the integer part) and 0.
    t.dir("mtimes")
    t.file("mtimes/y2001", "2001\n", mtime=1000000000)
    t.file("mtimes/y2100", "2100\n", mtime=4102444800)
    t.file("mtimes/y2286", "2286\n", mtime=9999999999)
    t.file("mtimes/fraction", "fraction\n", mtime=1234567890.75)
    t.file("mtimes/epoch", "epoch\n", mtime=0)
    # Parents that have no entries of their own: created 0755 root:root.
    t.file("implicit/parent/file.txt", "implicit parents\n")
    return t.bytes()


def layer2():
    t = L.TarBuilder(tarfile.GNU_FORMAT, mtime=L.DEFAULT_MTIME + 1000)
    t.whiteout("wh-file/gone.txt")  # before anything else in the layer
    t.dir("a", mode=0o750, uid=1, gid=1)  # metadata change of a merged dir
    t.file("a/b/c/file.txt", "modified in layer 2\n")
    t.file("a/b/c/file2.txt", "added in layer 2\n")
    t.whiteout("wh-dir")
    # Opaque dir: the marker comes AFTER the new file of the same layer, which
    # it must not hide (whiteouts only apply to lower layers).
    t.dir("opq", mode=0o755)
    t.file("opq/new.txt", "new\n")
    t.opaque("opq")
    # A file replaced by a directory, a directory replaced by a file.
    t.dir("file2dir", mode=0o755)
    t.file("file2dir/inner.txt", "inner\n")
    t.file("dir2file", "now a file\n")
    # GNU long names.
    t.dir("long2")
    t.file(GNU_NAME, "gnu long name\n")
    t.symlink(GNU_LINK, "g" * 200)
    t.file("names/añadido en capa 2 ✓.txt", "layer 2\n")
    return t.bytes()


def layer3():
    t = L.TarBuilder(tarfile.PAX_FORMAT, mtime=L.DEFAULT_MTIME + 2000)
    t.file("hl2/two", "new content\n")  # hl2/one keeps "old content"
    t.whiteout("hl/link2.txt")  # hl/orig.txt and hl/link1.txt stay one inode
    t.file("links/dirlink", "no longer a symlink\n")
    t.symlink("root-file.txt", "a/b/c/file2.txt")
    t.dir("empty2", mode=0o755)
    return t.bytes()


def layer4():
    return L.TarBuilder(tarfile.PAX_FORMAT).bytes()


def build():
    layers = [
        L.Layer.from_tar(layer1(), "gzip"),
        L.Layer.from_tar(layer2(), "zstd"),
        L.Layer.from_tar(layer3(), "gzip"),
        L.Layer.from_tar(layer4(), "gzip"),
    ]
    history = [
        "berth-testbed tricky: base tree (PAX, gzip)",
        {"created_by": "/bin/sh -c #(nop)  ENV TRICKY=1", "empty_layer": True},
        "berth-testbed tricky: whiteouts, opaque dir, replacements (GNU tar, zstd)",
        "berth-testbed tricky: hard-link rewrite, type changes (PAX, gzip)",
        "berth-testbed tricky: empty layer",
    ]
    config = L.make_config(
        layers,
        history,
        {"Env": [L.DEFAULT_PATH, "TRICKY=1"], "Cmd": ["/bin/sh"], "Labels": {"berth.testbed": "tricky"}},
    )
    return L.Image(layers, config, oci=True)

