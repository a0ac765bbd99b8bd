#!/usr/bin/env python3
"""Docker registry token server for the berth test bed (Python stdlib + openssl CLI).

Implements the token flow of the distribution registry ("auth: token:"):

  GET  /token?service=S&scope=repository:NAME:pull[,push][&scope=...]
       with HTTP Basic user/password -> 200 {"token", "access_token", "expires_in", "issued_at"}
       missing or wrong credentials  -> 401 (anonymous pulls are refused too)
  POST /token  (OAuth2 password grant, form fields grant_type=password,
       username, password, service, scope, client_id) -> 200 {"access_token", ...}
  GET  /healthz -> 200 "ok"              (used by scripts/testbed/up)
  GET  /stats   -> {"issued": N, "denied": M}   (lets tests prove the flow ran)

Tokens are RS256 JWTs signed with --key (via `openssl dgst -sha256 -sign`).  The
JWT header carries `kid` = the libtrust key id of the signing key; registry 2.8
accepts that when the key's certificate is in its `rootcertbundle`.  Claims:
iss, sub, aud (= service), exp, nbf, iat, jti and `access` (the granted
subset of the requested scopes: pull and push on any repository, and
registry:catalog:*, for the one configured user).
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GRANTABLE = {"repository": {"pull", "push"}, "registry": {"*"}}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(key_path):
    """libtrust KeyID: base32(sha256(DER SubjectPublicKeyInfo)[:30]) in 4-char groups."""
    der = subprocess.run(
        ["openssl", "pkey", "-in", key_path, "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i : i + 4] for i in range(0, len(s), 4))


def parse_scope(scope):
    """'repository:a/b:pull,push' -> ('repository', 'a/b', ['pull', 'push'])."""
    typ, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    if not typ or not name:
        return None
    return typ, name, [a for a in actions.split(",") if a]


class TokenIssuer:
    def __init__(self, key, issuer, service, user, password, ttl):
        self.key = key
        self.kid = libtrust_key_id(key)
        self.issuer = issuer
        self.service = service
        self.user = user
        self.password = password
        self.ttl = ttl
        self.lock = threading.Lock()
        self.stats = {"issued": 0, "denied": 0}

    def count(self, what):
        with self.lock:
            self.stats[what] += 1

    def check(self, user, password):
        # Constant-time comparison; not that it matters on loopback.
        ok_u = secrets.compare_digest((user or "").encode(), self.user.encode())
        ok_p = secrets.compare_digest((password or "").encode(), self.password.encode())
        return ok_u and ok_p

    def sign(self, claims):
        header = {"typ": "JWT", "alg": "RS256", "kid": self.kid}
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        sig = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.key],
            input=signing_input.encode(),
            check=True,
            capture_output=True,
        ).stdout
        return signing_input + "." + b64url(sig)

    def issue(self, user, scopes):
        access = []
        for scope in scopes:
            parsed = parse_scope(scope)
            if parsed is None:
                continue
            typ, name, actions = parsed
            granted = [a for a in actions if a in GRANTABLE.get(typ, set())]
            access.append({"type": typ, "name": name, "actions": granted})
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": user,
            "aud": self.service,
            "exp": now + self.ttl,
            "nbf": now - 30,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": access,
        }
        token = self.sign(claims)
        self.count("issued")
        issued_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        return {
            "token": token,
            "access_token": token,
            "expires_in": self.ttl,
            "issued_at": issued_at,
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "berth-testbed-token/1"
    issuer = None  # set in main()

    def log_message(self, fmt, *args):
        sys.stderr.write(
            "%s %s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), self.address_string(), fmt % args)
        )

    def reply(self, status, obj, extra_headers=()):
        body = (json.dumps(obj) + "\n").encode() if not isinstance(obj, bytes) else obj
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def unauthorized(self, why):
        self.issuer.count("denied")
        self.reply(
            401,
            {"errors": [{"code": "UNAUTHORIZED", "message": why}]},
            [("WWW-Authenticate", 'Basic realm="berth-testbed-token"')],
        )

    def basic_credentials(self):
        auth = self.headers.get("Authorization", "")
        if not auth.lower().startswith("basic "):
            return None, None
        try:
            user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
        except Exception:
            return None, None
        return user, password

    def grant(self, user, password, service, scopes):
        if user is None:
            return self.unauthorized("authentication required (anonymous access is refused)")
        if not self.issuer.check(user, password):
            return self.unauthorized("invalid username or password")
        if service and service != self.issuer.service:
            return self.reply(400, {"errors": [{"code": "DENIED", "message": "unknown service"}]})
        return self.reply(200, self.issuer.issue(user, scopes))

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/healthz":
            return self.reply(200, b"ok\n")
        if url.path == "/stats":
            with self.issuer.lock:
                return self.reply(200, dict(self.issuer.stats))
        if url.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]})
        q = urllib.parse.parse_qs(url.query)
        scopes = [s for v in q.get("scope", []) for s in v.split(" ") if s]
        user, password = self.basic_credentials()
        return self.grant(user, password, q.get("service", [""])[0], scopes)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode(errors="replace"))
        if url.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]})
        if form.get("grant_type", [""])[0] != "password":
            return self.reply(400, {"error": "unsupported_grant_type"})
        user = form.get("username", [None])[0]
        password = form.get("password", [""])[0]
        scopes = [s for v in form.get("scope", []) for s in v.split(" ") if s]
        return self.grant(user, password, form.get("service", [""])[0], scopes)

    def do_HEAD(self):
        self.send_response(200 if self.path == "/healthz" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    ap = argparse.ArgumentParser(description="berth test bed registry token server")
    ap.add_argument("--listen", default="127.0.0.1:5603")
    ap.add_argument("--key", required=True, help="PEM private key (RSA) to sign tokens")
    ap.add_argument("--issuer", default="berth-testbed-token-issuer")
    ap.add_argument("--service", default="berth-testbed-registry")
    ap.add_argument("--user", default="berth")
    ap.add_argument("--password", default=os.environ.get("TOKEN_PASS", "t0ken"))
    ap.add_argument("--ttl", type=int, default=300, help="token lifetime, seconds")
    args = ap.parse_args()
    Handler.issuer = TokenIssuer(args.key, args.issuer, args.service, args.user, args.password, args.ttl)
    host, _, port = args.listen.rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    print(f"token server on {args.listen}, kid {Handler.issuer.kid}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
