"""An external identity provider for tests: its JWKS endpoint on a real HTTP server (a thread of its own, on a
free port), and the tokens it signs. The keys it publishes can change, it counts how often they were fetched,
and it can hold its answers until the test lets them go."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypedDict, Unpack

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import Algorithm, ECAlgorithm, RSAAlgorithm

from tests.factories import Tenant
from winnerr.db.enums import Role

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
ALGORITHMS: dict[str, Callable[[], SigningKey]] = {
    "RS256": lambda: rsa.generate_private_key(65537, 2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
}
SERIALISERS: dict[str, type[Algorithm]] = {"RS256": RSAAlgorithm, "ES256": ECAlgorithm}


class Claims(TypedDict, total=False):
    """The claims of a provider's token that a test may override; None is sent as JSON null."""

    sub: str
    email: str | None
    email_verified: bool | None
    iat: int
    exp: int
    iss: str
    aud: str


class IdentityProvider:
    def __init__(self) -> None:
        self.published: dict[str, tuple[str, SigningKey]] = {}
        self.fetches = 0
        self.asked = threading.Event()
        self.answer = threading.Event()
        self.answer.set()
        self.url = ""

    def publish(self, kid: str, algorithm: str = "RS256") -> SigningKey:
        """Publish a new key under `kid`; return its private half."""
        key: SigningKey = ALGORITHMS[algorithm]()
        self.published[kid] = (algorithm, key)
        return key

    def document(self) -> bytes:
        keys = []
        for kid, (algorithm, key) in self.published.items():
            public = json.loads(SERIALISERS[algorithm].to_jwk(key.public_key()))
            keys.append(public | {"kid": kid, "use": "sig", "alg": algorithm})
        return json.dumps({"keys": keys}).encode()

    def token(self, tenant: Tenant, kid: str, key: SigningKey | None = None, **claims: Unpack[Claims]) -> str:
        """A token of this provider for the tenant's AGENT, signed with `kid`'s key (or `key`)."""
        algorithm, published = self.published.get(kid, ("RS256", None))
        signing_key = key or published
        if signing_key is None:
            raise LookupError(f"no key is published under {kid!r}: pass the one to sign with as `key`")
        base: Claims = {
            "sub": "provider|42",
            "email": tenant.emails[Role.AGENT],
            "email_verified": True,
            "iat": 1_700_000_000,
            "exp": 4_000_000_000,
            "iss": tenant.settings.jwt_issuer,
            "aud": tenant.settings.jwt_audience,
        }
        # jwt.encode takes a plain dict, not a TypedDict
        return jwt.encode(dict(base | claims), signing_key, algorithm=algorithm, headers={"kid": kid})


@contextmanager
def identity_provider() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            provider.fetches += 1
            provider.asked.set()
            provider.answer.wait(30)
            body = provider.document()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        provider.answer.set()
        server.shutdown()
