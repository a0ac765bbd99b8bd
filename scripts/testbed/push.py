#!/usr/bin/env python3
"""A small registry v2 pusher (Python stdlib only), for the berth test bed.

It speaks just enough of the distribution API to push hand-made images,
including deliberately broken ones that no ordinary tool would push:

  * blobs: monolithic upload, `POST /v2/NAME/blobs/uploads/` then
    `PUT <location>&digest=sha256:...` with the whole body (skipped when a
    `HEAD /v2/NAME/blobs/DIGEST` says the blob is already there);
  * manifests: `PUT /v2/NAME/manifests/REF` with the manifest's own media type.

Plain HTTP only (the test registries listen on 127.0.0.1).  Optional HTTP
basic auth for the htpasswd registry.

Library use (from images.py):   reg = Registry("127.0.0.1:5600")
                                reg.push_blob("busybox", data)
                                reg.put_manifest("busybox", "latest", raw, mt)
Command line:
    push.py [--user U --password P] REGISTRY NAME:TAG MANIFEST.json [BLOB ...]
uploads every BLOB file (digest = sha256 of the file) then the manifest, and
prints the manifest digest.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import sys
import urllib.parse

# Media types this test bed uses.
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"

# Accept header for manifest HEAD/GET: registry 2.8 answers 404 for an OCI
# manifest when the client does not say it accepts OCI.
MANIFEST_ACCEPT = ", ".join([OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST])


class RegistryError(Exception):
    pass


def sha256_digest(data):
    """'sha256:<hex>' of bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest(), os.path.getsize(path)


class Registry:
    """A plain-HTTP registry at host:port, optionally with basic auth."""

    def __init__(self, hostport, user=None, password=None, timeout=300):
        self.hostport = hostport
        self.timeout = timeout
        self.auth = None
        self.pushed = {}  # digest -> a repository it was uploaded to
        if user is not None:
            cred = f"{user}:{password or ''}".encode()
            self.auth = "Basic " + base64.b64encode(cred).decode()

    def _request(self, method, url, body=None, headers=None):
        """One request; returns (status, headers-dict-lowercased, body bytes).

        `url` is a path ("/v2/...") or an absolute http:// URL (upload
        locations may be either).  `body` may be bytes or a binary file object
        (then headers must carry Content-Length).
        """
        parsed = urllib.parse.urlsplit(url)
        host = parsed.netloc or self.hostport
        path = parsed.path + ("?" + parsed.query if parsed.query else "")
        hdrs = dict(headers or {})
        if self.auth:
            hdrs["Authorization"] = self.auth
        conn = http.client.HTTPConnection(host, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    # -- blobs ---------------------------------------------------------------

    def blob_exists(self, repo, digest):
        status, _, _ = self._request("HEAD", f"/v2/{repo}/blobs/{digest}")
        return status == 200

    def push_blob(self, repo, data=None, path=None, digest=None, check_exists=True):
        """Upload a blob given as bytes (`data`) or as a file (`path`).

        `digest` defaults to the sha256 of the content; passing another one
        makes the registry refuse the upload (it verifies on the final PUT).
        Returns the digest.
        """
        if path is not None:
            real_digest, size = sha256_file(path)
        else:
            real_digest, size = sha256_digest(data), len(data)
        digest = digest or real_digest
        if check_exists and self.blob_exists(repo, digest):
            self.pushed.setdefault(digest, repo)
            return digest
        # Cross-repository mount when this session pushed the blob elsewhere:
        # 201 means done; 202 means "upload it after all" (with a location).
        query = ""
        source = self.pushed.get(digest)
        if source and source != repo:
            query = f"?mount={digest}&from={source}"
        status, hdrs, body = self._request(
            "POST", f"/v2/{repo}/blobs/uploads/{query}", body=b"", headers={"Content-Length": "0"}
        )
        if status == 201:
            return digest
        if status != 202 or "location" not in hdrs:
            raise RegistryError(f"POST upload {repo}: HTTP {status}: {body[:300]!r}")
        location = hdrs["location"]
        sep = "&" if "?" in location else "?"
        put_url = f"{location}{sep}digest={urllib.parse.quote(digest, safe=':')}"
        put_headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        if path is not None:
            with open(path, "rb") as f:
                status, _, body = self._request("PUT", put_url, body=f, headers=put_headers)
        else:
            status, _, body = self._request("PUT", put_url, body=data, headers=put_headers)
        if status != 201:
            raise RegistryError(f"PUT blob {repo}@{digest}: HTTP {status}: {body[:300]!r}")
        self.pushed[digest] = repo
        return digest

    # -- manifests -----------------------------------------------------------

    def head_manifest(self, repo, ref):
        """Digest of repo:ref (or repo@digest) if present, else None."""
        status, hdrs, _ = self._request(
            "HEAD", f"/v2/{repo}/manifests/{ref}", headers={"Accept": MANIFEST_ACCEPT}
        )
        if status == 200:
            return hdrs.get("docker-content-digest")
        if status == 404:
            return None
        raise RegistryError(f"HEAD manifest {repo}:{ref}: HTTP {status}")

    def get_manifest(self, repo, ref):
        """(raw bytes, media type) of a manifest; for checks, not used to push."""
        status, hdrs, body = self._request(
            "GET", f"/v2/{repo}/manifests/{ref}", headers={"Accept": MANIFEST_ACCEPT}
        )
        if status != 200:
            raise RegistryError(f"GET manifest {repo}:{ref}: HTTP {status}")
        return body, hdrs.get("content-type", "").split(";")[0]

    def get_blob(self, repo, digest, verify=True):
        """Blob bytes; raises when the content does not match the digest."""
        status, _, body = self._request("GET", f"/v2/{repo}/blobs/{digest}")
        if status != 200:
            raise RegistryError(f"GET blob {repo}@{digest}: HTTP {status}")
        if verify and sha256_digest(body) != digest:
            raise RegistryError(f"blob {repo}@{digest}: content has digest {sha256_digest(body)}")
        return body

    def put_manifest(self, repo, ref, raw, media_type=None):
        """PUT raw manifest bytes under a tag or digest; returns its digest."""
        if media_type is None:
            media_type = json.loads(raw)["mediaType"]
        status, hdrs, body = self._request(
            "PUT",
            f"/v2/{repo}/manifests/{ref}",
            body=raw,
            headers={"Content-Type": media_type, "Content-Length": str(len(raw))},
        )
        if status != 201:
            raise RegistryError(f"PUT manifest {repo}:{ref}: HTTP {status}: {body[:500]!r}")
        digest = sha256_digest(raw)
        got = hdrs.get("docker-content-digest")
        if got and got != digest:
            raise RegistryError(f"registry says manifest digest {got}, expected {digest}")
        return digest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("registry", help="host:port, plain HTTP")
    ap.add_argument("ref", help="NAME:TAG")
    ap.add_argument("manifest", help="manifest JSON file (pushed byte for byte)")
    ap.add_argument("blobs", nargs="*", help="blob files (config and layers)")
    args = ap.parse_args(argv)
    name, _, tag = args.ref.rpartition(":")
    if not name:
        ap.error("ref must be NAME:TAG")
    reg = Registry(args.registry, args.user, args.password)
    for blob in args.blobs:
        reg.push_blob(name, path=blob)
    with open(args.manifest, "rb") as f:
        raw = f.read()
    print(reg.put_manifest(name, tag, raw))


if __name__ == "__main__":
    try:
        main()
    except RegistryError as e:
        print(f"push.py: {e}", file=sys.stderr)
        sys.exit(1)
