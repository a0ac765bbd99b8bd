#!/usr/bin/env python3
"""Build the berth test bed images and push the missing ones (stdlib only).

    images.py --dir DIR --registry 127.0.0.1:5600 [--cache CACHE] [NAME ...]

An image is skipped when DIR/images.json records it, built by the same
version of these scripts (the "recipe" hash of the builder sources), and a
manifest HEAD on the registry returns the recorded digest.  Otherwise it is built (from the
cache where the build is slow) and pushed with push.py, and its record is
written to DIR/images.json: name -> manifest digest, config digest, layers
(digest, diffID, mediaType, size), plus extras for some images.

Images: busybox:latest (Docker schema2), debian:bookworm (OCI), redis:latest
(Docker schema2, two layers), multiarch:latest (OCI index amd64 + arm64),
tricky:latest (see tricky.py) and bad/* (see badimages.py).

The slow inputs are cached under CACHE (default $BERTH_TESTBED_CACHE or
/var/cache/berth-testbed), each behind its own flock:
  busybox/busybox-static_*.deb      apt-get download busybox-static
  debian-bookworm-v1/               debootstrap minbase layer + redis-server layer,
                                    both gzipped, with meta.json
Delete a cache entry to rebuild it.  All diagnostics go to stderr.
"""

import argparse
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)

import badimages  # noqa: E402
import layers as L  # noqa: E402
import push  # noqa: E402
import tricky  # noqa: E402

DEBIAN_CACHE = "debian-bookworm-v1"
# Contents (not the directories) left out of the Debian layer: images do not
# carry device nodes or pseudo filesystems.
ROOTFS_EXCLUDE = ("dev", "proc", "sys")


def log(msg):
    print(f"testbed: {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    """subprocess.run with check=True; stdout goes to stderr unless captured."""
    if "capture_output" not in kw and "stdout" not in kw:
        kw["stdout"] = sys.stderr
    return subprocess.run(cmd, check=True, **kw)


@contextlib.contextmanager
def flocked(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_atomic(path, data):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class Context:
    def __init__(self, cache, registry_data):
        self.cache = cache
        self.registry_data = registry_data
        self._busybox = None

    # -- busybox ---------------------------------------------------------------

    def busybox_deb(self):
        d = os.path.join(self.cache, "busybox")
        os.makedirs(d, exist_ok=True)
        with flocked(os.path.join(self.cache, ".lock-busybox")):
            debs = sorted(glob.glob(os.path.join(d, "busybox-static_*.deb")))
            if debs:
                return debs[-1]
            log("downloading busybox-static")
            tmp = tempfile.mkdtemp(dir=d)
            try:
                try:
                    run(["apt-get", "-q", "download", "busybox-static"], cwd=tmp,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                except subprocess.CalledProcessError:
                    run(["apt-get", "-q", "update"])
                    run(["apt-get", "-q", "download", "busybox-static"], cwd=tmp)
                (deb,) = glob.glob(os.path.join(tmp, "busybox-static_*.deb"))
                final = os.path.join(d, os.path.basename(deb))
                os.replace(deb, final)
                return final
            finally:
                shutil.rmtree(tmp, ignore_errors=True)

    def busybox_layer(self):
        """The busybox rootfs as a gzip layer (OCI media type; use
        with_media_type for Docker manifests).  Deterministic."""
        if self._busybox:
            return self._busybox
        deb = self.busybox_deb()
        with tempfile.TemporaryDirectory() as tmp:
            run(["dpkg-deb", "-x", deb, tmp])
            binary = os.path.join(tmp, "bin", "busybox")
            with open(binary, "rb") as f:
                busybox = f.read()
            applets = run([binary, "--list"], capture_output=True, text=True).stdout.split()
        t = L.TarBuilder()
        t.dir("bin")
        t.file("bin/busybox", busybox, mode=0o755)
        for applet in sorted(set(applets) - {"busybox"}):
            t.symlink(f"bin/{applet}", "busybox")
        t.dir("etc")
        t.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
        t.file("etc/group", "root:x:0:\nnobody:x:65534:\n")
        t.dir("root", mode=0o700)
        t.dir("tmp", mode=0o1777)
        self._busybox = L.Layer.from_tar(t.bytes(), "gzip")
        version = run(["dpkg-deb", "-f", deb, "Version"], capture_output=True, text=True).stdout.strip()
        self.busybox_version = f"busybox-static {version}"
        return self._busybox

    # -- debian + redis ----------------------------------------------------------

    def debian_layers(self):
        """(base, redis) gzip layers from the cache, building it if needed."""
        d = os.path.join(self.cache, DEBIAN_CACHE)
        with flocked(os.path.join(self.cache, ".lock-debian")):
            if not os.path.exists(os.path.join(d, "meta.json")):
                build_debian_cache(self.cache, d)
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        out = []
        for part in ("base", "redis"):
            m = meta[part]
            out.append(L.Layer(push.OCI_LAYER_GZIP, m["diff_id"], path=os.path.join(d, f"{part}.tar.gz"),
                               digest=m["digest"], size=m["size"]))
        return out


def apt_mirror():
    """The Debian mirror apt uses (deb822 sources or sources.list), or the
    BERTH_TESTBED_MIRROR override."""
    if os.environ.get("BERTH_TESTBED_MIRROR"):
        return os.environ["BERTH_TESTBED_MIRROR"]
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path) as f:
            for stanza in f.read().split("\n\n"):
                fields = {}
                for line in stanza.splitlines():
                    if ":" in line and not line.startswith("#"):
                        k, _, v = line.partition(":")
                        fields[k.strip().lower()] = v.strip()
                if "bookworm" in fields.get("suites", "").split() and "uris" in fields:
                    return fields["uris"].split()[0]
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) >= 3 and w[0] == "deb":
                    w = [x for x in w if not x.startswith("[")]
                    if len(w) >= 3 and w[2] == "bookworm":
                        return w[1]
    return "http://deb.debian.org/debian"


def rm_glob(root, *patterns):
    for pattern in patterns:
        for p in glob.glob(os.path.join(root, pattern)):
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)


def clean_rootfs(root):
    """What Debian's own images leave out: apt caches and lists, logs, and the
    host's hostname/resolv.conf that debootstrap copied in."""
    rm_glob(root, "var/cache/apt/*.bin", "var/cache/apt/archives/*.deb",
            "var/cache/apt/archives/partial/*", "var/lib/apt/lists/*",
            "var/log/*.log", "var/log/apt/*", "etc/hostname", "etc/resolv.conf",
            "var/cache/debconf/*-old", "var/lib/dpkg/*-old", "tmp/*", "root/.bash_history")


def build_debian_cache(cache, final):
    mirror = apt_mirror()
    work = tempfile.mkdtemp(prefix="debian-build.", dir=cache)
    root = os.path.join(work, "root")
    out = os.path.join(work, "out")
    os.makedirs(out)
    try:
        t0 = time.time()
        log(f"debootstrap --variant=minbase bookworm from {mirror} (about a minute)")
        buildlog = os.path.join(work, "build.log")
        run_logged(["debootstrap", "--variant=minbase", "bookworm", root, mirror], buildlog)
        clean_rootfs(root)
        before = {}
        L.tar_directory(root, os.path.join(out, "base.tar"), ROOTFS_EXCLUDE, meta=before)
        log(f"minbase done in {time.time() - t0:.0f}s; installing redis-server")
        install_redis(root, buildlog)
        added, deleted = L.tar_diff(root, before, os.path.join(out, "redis.tar"), ROOTFS_EXCLUDE)
        log(f"redis layer: {added} new/changed paths, {deleted} whiteouts")
        meta = {"mirror": mirror, "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        for part in ("base", "redis"):
            tar = os.path.join(out, f"{part}.tar")
            diff_id, _ = push.sha256_file(tar)
            with open(tar + ".gz", "wb") as f:
                run(["gzip", "-n", "-6", "-c", tar], stdout=f)
            digest, size = push.sha256_file(tar + ".gz")
            os.unlink(tar)
            meta[part] = {"diff_id": diff_id, "digest": digest, "size": size}
        with open(os.path.join(root, "etc/passwd")) as f:
            for line in f:
                if line.startswith("redis:"):
                    meta["redis_uid"], meta["redis_gid"] = map(int, line.split(":")[2:4])
        write_atomic(os.path.join(out, "meta.json"), json.dumps(meta, indent=2).encode())
        if os.path.exists(final):
            shutil.rmtree(final)
        os.rename(out, final)
        log(f"debian cache built in {time.time() - t0:.0f}s")
    finally:
        safe_rmtree(work)


def safe_rmtree(path):
    """rm -rf a build tree, after unmounting whatever a failed debootstrap may
    have left mounted in it (proc, sys, bind-mounted /dev nodes): never delete
    through a mount into the host."""
    path = os.path.realpath(path)

    def mounts_below():
        with open("/proc/self/mountinfo") as f:
            points = [line.split()[4].replace("\\040", " ") for line in f]
        return sorted((p for p in points if p.startswith(path + "/")), key=len, reverse=True)

    for point in mounts_below():
        subprocess.run(["umount", "-l", point], check=False)
    left = mounts_below()
    if left:
        log(f"not deleting {path}: still mounted below it: {left}")
        return
    shutil.rmtree(path, ignore_errors=True)


def run_logged(cmd, logfile, **kw):
    """Run cmd with its output appended to logfile; show the log's tail if it fails."""
    with open(logfile, "a") as lf:
        try:
            run(cmd, stdout=lf, stderr=lf, **kw)
        except subprocess.CalledProcessError:
            lf.flush()
            with open(logfile) as f:
                sys.stderr.write(f.read()[-4000:])
            raise


def install_redis(root, buildlog):
    """chroot apt-get install redis-server; services are not started
    (policy-rc.d); /data is created for the redis user."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C",
           "HOME": "/root"}
    policy = os.path.join(root, "usr/sbin/policy-rc.d")
    with open(policy, "w") as f:
        f.write("#!/bin/sh\nexit 101\n")
    os.chmod(policy, 0o755)
    if os.path.exists("/etc/resolv.conf"):
        shutil.copyfile("/etc/resolv.conf", os.path.join(root, "etc/resolv.conf"))
    try:
        for cmd in (["apt-get", "update"],
                    ["apt-get", "install", "-y", "--no-install-recommends", "redis-server"],
                    ["apt-get", "clean"]):
            run_logged(["chroot", root] + cmd, buildlog, env=env)
    finally:
        os.unlink(policy)
    clean_rootfs(root)
    with open(os.path.join(root, "etc/passwd")) as f:
        uid, gid = next(tuple(map(int, l.split(":")[2:4])) for l in f if l.startswith("redis:"))
    data = os.path.join(root, "data")
    os.makedirs(data, exist_ok=True)
    os.chown(data, uid, gid)
    os.chmod(data, 0o755)


# -- image builders: each returns a record for images.json ----------------------


def build_busybox(ctx, reg, repo, tag):
    layer = ctx.busybox_layer().with_media_type(push.DOCKER_LAYER_GZIP)
    config = L.make_config(
        [layer], [f"berth-testbed: {ctx.busybox_version} (Debian), applet symlinks in /bin"],
        {"Env": [L.DEFAULT_PATH], "Cmd": ["sh"]})
    image = L.Image([layer], config, oci=False)
    image.push(reg, repo, tag)
    return image.record()


def build_debian(ctx, reg, repo, tag):
    base, _ = ctx.debian_layers()
    config = L.make_config([base], ["berth-testbed: debootstrap --variant=minbase bookworm"],
                           {"Env": [L.DEFAULT_PATH], "Cmd": ["bash"]})
    image = L.Image([base], config, oci=True)
    image.push(reg, repo, tag)
    return image.record()


def build_redis(ctx, reg, repo, tag):
    base, redis = (l.with_media_type(push.DOCKER_LAYER_GZIP) for l in ctx.debian_layers())
    config = L.make_config(
        [base, redis],
        ["berth-testbed: debootstrap --variant=minbase bookworm",
         "berth-testbed: apt-get install --no-install-recommends redis-server; mkdir /data"],
        {"Env": [L.DEFAULT_PATH],
         "Entrypoint": ["redis-server"],
         "Cmd": ["--protected-mode", "no", "--bind", "0.0.0.0"],
         "ExposedPorts": {"6379/tcp": {}},
         "Volumes": {"/data": {}},
         "WorkingDir": "/data"})
    image = L.Image([base, redis], config, oci=False)
    image.push(reg, repo, tag)
    return image.record()


def build_multiarch(ctx, reg, repo, tag):
    bb = ctx.busybox_layer()
    children = []
    for arch, variant in (("amd64", None), ("arm64", "v8")):
        t = L.TarBuilder()
        t.file("arch", f"{arch}\n")
        arch_layer = L.Layer.from_tar(t.bytes(), "gzip")
        config = L.make_config(
            [bb, arch_layer],
            ["berth-testbed: busybox", f"berth-testbed: /arch says {arch}"],
            {"Env": [L.DEFAULT_PATH], "Cmd": ["cat", "/arch"]}, arch=arch, variant=variant)
        image = L.Image([bb, arch_layer], config, oci=True)
        image.push(reg, repo, image.digest)
        platform = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        children.append((image, platform))
    index = {
        "schemaVersion": 2,
        "mediaType": push.OCI_INDEX,
        "manifests": [dict(mediaType=i.media_type, size=len(i.raw), digest=i.digest, platform=p)
                      for i, p in children],
    }
    raw = json.dumps(index, indent=3).encode()
    digest = reg.put_manifest(repo, tag, raw, push.OCI_INDEX)
    return {"manifest": digest, "mediaType": push.OCI_INDEX, "size": len(raw),
            "manifests": {i.record()["platform"]: i.record() for i, _ in children}}


def build_many_layers(ctx, reg, repo, tag):
    """busybox plus 70 one-file layers: more than mount(2)'s one-page option string holds."""
    layers = [ctx.busybox_layer()]
    history = ["berth-testbed: busybox"]
    for i in range(70):
        t = L.TarBuilder()
        t.file(f"layers/{i:02d}", f"layer {i}\n")
        layers.append(L.Layer.from_tar(t.bytes(), "gzip"))
        history.append(f"berth-testbed: /layers/{i:02d}")
    config = L.make_config(layers, history, {"Env": [L.DEFAULT_PATH], "Cmd": ["sh"]})
    image = L.Image(layers, config, oci=True)
    image.push(reg, repo, tag)
    return image.record()


def build_tricky(ctx, reg, repo, tag):
    image = tricky.build()
    image.push(reg, repo, tag)
    rec = image.record()
    rec["expected"] = os.path.join(HERE, "tricky-expected.json")
    return rec


def bad_builder(fn):
    def build(ctx, reg, repo, tag):
        image, extra, sabotage = fn(ctx.registry_data)
        image.push_blobs(reg, repo)
        if sabotage:
            sabotage()
        reg.put_manifest(repo, tag, image.raw, image.media_type)
        rec = image.record()
        rec.update(extra)
        return rec
    return build


IMAGES = {
    "busybox:latest": build_busybox,
    "debian:bookworm": build_debian,
    "redis:latest": build_redis,
    "multiarch:latest": build_multiarch,
    "tricky:latest": build_tricky,
    "many-layers:latest": build_many_layers,
}
IMAGES.update({f"{name}:latest": bad_builder(fn) for name, fn in badimages.BAD.items()})


def recipe():
    """Hash of the builder sources: a change rebuilds (and re-pushes) every image."""
    h = hashlib.sha256()
    for name in ("images.py", "layers.py", "tricky.py", "badimages.py", "push.py"):
        with open(os.path.join(HERE, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def main():
    ap = argparse.ArgumentParser(description="build and push the berth test bed images")
    ap.add_argument("--dir", help="the test bed directory (required)")
    ap.add_argument("--registry", help="plain registry host:port to push to (required)")
    ap.add_argument("--cache", default=os.environ.get("BERTH_TESTBED_CACHE") or "/var/cache/berth-testbed")
    ap.add_argument("--list", action="store_true", help="print the image names and exit")
    ap.add_argument("images", nargs="*", help="image names (default: all)")
    args = ap.parse_args()
    if args.list:
        print("\n".join(IMAGES))
        return
    if not args.dir or not args.registry:
        ap.error("--dir and --registry are required")
    unknown = [n for n in args.images if n not in IMAGES]
    if unknown:
        sys.exit(f"images.py: unknown image(s) {unknown}; known: {list(IMAGES)}")
    os.makedirs(args.cache, exist_ok=True)
    ctx = Context(args.cache, os.path.join(args.dir, "registry-data"))
    reg = push.Registry(args.registry)
    index_path = os.path.join(args.dir, "images.json")
    try:
        with open(index_path) as f:
            records = json.load(f)
    except (FileNotFoundError, ValueError):
        records = {}
    current = recipe()
    for name in args.images or IMAGES:
        repo, _, tag = name.rpartition(":")
        rec = records.get(name)
        if rec and rec.get("recipe") == current and reg.head_manifest(repo, tag) == rec["manifest"]:
            continue
        t0 = time.time()
        rec = IMAGES[name](ctx, reg, repo, tag)
        rec = dict({"repository": repo, "tag": tag, "recipe": current}, **rec)
        records[name] = rec
        log(f"pushed {name} {rec['manifest']} ({time.time() - t0:.1f}s)")
        # Saved after each image so an interrupted run keeps what it did.
        write_atomic(index_path, (json.dumps(records, indent=2, ensure_ascii=False) + "\n").encode())
    write_atomic(index_path, (json.dumps(records, indent=2, ensure_ascii=False) + "\n").encode())


if __name__ == "__main__":
    try:
        main()
    except (push.RegistryError, subprocess.CalledProcessError, OSError) as e:
        sys.exit(f"images.py: {e}")
