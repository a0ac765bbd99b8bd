#!/usr/bin/env python3
"""Describe a directory tree as JSON, in the shape of tricky-expected.json.

    merged-tree.py ROOTDIR [--exclude /proc ...]         print the JSON list
    merged-tree.py ROOTDIR --compare EXPECTED.json      diff against a file;
                                                        exit 1 on any difference

One entry per path below ROOTDIR (ROOTDIR itself excluded), sorted by path:
  path      "/a/b" (relative to ROOTDIR, with a leading slash)
  type      file | dir | symlink (or char | block | fifo | socket)
  mode      permission bits incl. setuid/setgid/sticky, octal string ("4755")
  uid, gid  numbers
  sha256    content hash (files)
  mtime     integer seconds (files only: directory mtimes depend on how the
            tree was assembled)
  target    link target (symlinks)
  nlink-group  (files) present only when several paths of the tree are the
            same inode; the value is the first such path in sort order
  xattrs    {name: value} (values as UTF-8 text, else "hex:..."), without
            trusted.overlay.* / user.overlay.* / security.selinux

Overlay whiteout artifacts (character devices 0:0) are skipped: a merged
overlay mount hides them anyway.
"""

import argparse
import hashlib
import json
import os
import stat
import sys

IGNORED_XATTR_PREFIXES = ("trusted.overlay.", "user.overlay.", "security.selinux")


def xattrs_of(path):
    out = {}
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return out
    for name in sorted(names):
        if name.startswith(IGNORED_XATTR_PREFIXES):
            continue
        try:
            value = os.getxattr(path, name, follow_symlinks=False)
        except OSError:
            continue
        try:
            out[name] = value.decode("utf-8")
        except UnicodeDecodeError:
            out[name] = "hex:" + value.hex()
    return out


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def describe(root, excludes=()):
    root = os.path.abspath(root)
    excludes = {"/" + e.strip("/") for e in excludes}
    entries = []
    inodes = {}  # (dev, ino) -> [entry, ...] for regular files with nlink > 1

    def walk(rel):
        full = os.path.join(root, rel.lstrip("/")) if rel else root
        for name in sorted(os.listdir(full)):
            path = f"{rel}/{name}"
            if path in excludes:
                continue
            p = os.path.join(full, name)
            st = os.lstat(p)
            m = st.st_mode
            if stat.S_ISCHR(m) and st.st_rdev == 0:
                continue  # overlay whiteout
            e = {"path": path, "mode": format(stat.S_IMODE(m), "04o"), "uid": st.st_uid, "gid": st.st_gid}
            if stat.S_ISREG(m):
                e["type"] = "file"
                e["sha256"] = file_sha256(p)
                e["mtime"] = int(st.st_mtime)
                if st.st_nlink > 1:
                    inodes.setdefault((st.st_dev, st.st_ino), []).append(e)
            elif stat.S_ISDIR(m):
                e["type"] = "dir"
            elif stat.S_ISLNK(m):
                e["type"] = "symlink"
                e["target"] = os.readlink(p)
            elif stat.S_ISCHR(m):
                e["type"] = "char"
            elif stat.S_ISBLK(m):
                e["type"] = "block"
            elif stat.S_ISFIFO(m):
                e["type"] = "fifo"
            else:
                e["type"] = "socket"
            e["xattrs"] = xattrs_of(p)
            entries.append(e)
            if stat.S_ISDIR(m):
                walk(path)

    walk("")
    for group in inodes.values():
        if len(group) > 1:
            gid = min(e["path"] for e in group)
            for e in group:
                e["nlink-group"] = gid
    entries.sort(key=lambda e: e["path"])
    return entries


def dumps(entries):
    """One entry per line: readable, and diffable line by line."""
    lines = []
    for e in entries:
        try:
            lines.append(json.dumps(e, sort_keys=True, ensure_ascii=False).encode("utf-8").decode())
        except UnicodeEncodeError:  # names that are not UTF-8
            lines.append(json.dumps(e, sort_keys=True))
    return "[\n" + ",\n".join(lines) + "\n]\n"


def compare(actual, expected):
    """Differences as human-readable lines."""
    a = {e["path"]: e for e in actual}
    x = {e["path"]: e for e in expected}
    out = []
    for p in sorted(set(a) | set(x)):
        if p not in a:
            out.append(f"missing:    {p}")
        elif p not in x:
            out.append(f"unexpected: {p} ({a[p]['type']})")
        elif a[p] != x[p]:
            for k in sorted(set(a[p]) | set(x[p])):
                if a[p].get(k) != x[p].get(k):
                    out.append(f"differs:    {p}: {k}: expected {x[p].get(k)!r}, got {a[p].get(k)!r}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root")
    ap.add_argument("--exclude", action="append", default=[], help="path (from the root) to leave out")
    ap.add_argument("--compare", metavar="EXPECTED", help="compare with this JSON file instead of printing")
    args = ap.parse_args()
    entries = describe(args.root, args.exclude)
    if not args.compare:
        sys.stdout.write(dumps(entries))
        return 0
    with open(args.compare, encoding="utf-8") as f:
        expected = json.load(f)
    diffs = compare(entries, expected)
    for d in diffs:
        print(d)
    print(f"{len(entries)} entries, {len(diffs)} differences", file=sys.stderr)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
