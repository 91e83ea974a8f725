"""Registered claims (iat, nbf, iss, aud, jti, required claims) are checked where configured, and RS256
tokens of a provincial identity provider are verified with HUB_JWT_PUBLIC_KEY — with that key only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hub.app import create_app
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import SECRET, Client, error_codes

ME = "{ me { level code subject } }"


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


PRIVATE = _private_key()
PUBLIC_PEM = (
    PRIVATE.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
OTHER_PRIVATE = _private_key()


def claims(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {"sub": "acct", "level": "provincial", "code": "62", "exp": int(time.time()) + 600}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def hs256(**extra: object) -> str:
    return jwt.encode(claims(**extra), SECRET, algorithm="HS256")


def rs256(key: rsa.RSAPrivateKey = PRIVATE, **extra: object) -> str:
    return jwt.encode(claims(**extra), key, algorithm="RS256")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_signed_with_public_key() -> str:
    """The key-confusion attack: an HS256 token whose HMAC secret is the (public) RSA key."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims(level="national", code=None)).encode())
    signature = hmac.new(PUBLIC_PEM.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


@pytest.fixture
async def configured(settings: Settings) -> AsyncIterator[Client]:
    """A hub with issuer, audience, extra required claims and a provincial identity provider's key."""
    configured_settings = replace(
        settings,
        jwt_issuer="https://id.gansu.example",
        jwt_audience="xibu-hub",
        jwt_required_claims=("iat", "jti"),
        jwt_public_key=PUBLIC_PEM,
    )
    hub = Hub(configured_settings, HubPlugins())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://hub") as http:
        yield Client(http, hub)
    await hub.dispose()


def good(**extra: object) -> dict[str, object]:
    now = int(time.time())
    values: dict[str, object] = {
        "iss": "https://id.gansu.example",
        "aud": "xibu-hub",
        "iat": now,
        "nbf": now - 5,
        "jti": "b9f1c0de-1",
    }
    values.update(extra)
    return values


async def test_valid_tokens_of_both_algorithms_are_accepted(configured: Client) -> None:
    for token in (hs256(**good()), rs256(**good())):
        data = await configured.ok(ME, token=token)
        assert data["me"] == {"level": "PROVINCIAL", "code": "62", "subject": "acct"}
    assert (await configured.ok(ME, level="county", code="621121", sub="c"))["me"]["code"] == "621121"


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"iss": "https://id.elsewhere.example"}, id="wrong-issuer"),
        pytest.param({"iss": None}, id="no-issuer"),
        pytest.param({"aud": "another-service"}, id="wrong-audience"),
        pytest.param({"aud": None}, id="no-audience"),
        pytest.param({"iat": int(time.time()) + 3600}, id="issued-in-the-future"),
        pytest.param({"iat": "yesterday"}, id="iat-not-a-number"),
        pytest.param({"iat": None}, id="required-iat-missing"),
        pytest.param({"nbf": int(time.time()) + 3600}, id="not-yet-valid"),
        pytest.param({"jti": None}, id="required-jti-missing"),
        pytest.param({"jti": ""}, id="empty-jti"),
        pytest.param({"jti": 17}, id="jti-not-a-string"),
        pytest.param({"exp": int(time.time()) - 5}, id="expired"),
        pytest.param({"level": "PROVINCE"}, id="unknown-level"),
        pytest.param({"code": "621121"}, id="county-code-on-a-provincial-token"),
    ],
)
@pytest.mark.parametrize("sign", [hs256, rs256], ids=["HS256", "RS256"])
async def test_a_defective_claim_is_unauthenticated(configured: Client, extra: dict[str, object], sign) -> None:  # type: ignore[no-untyped-def]
    token = sign(**good(**extra))
    body = await configured.gql(ME, token=token)
    assert error_codes(body) == ["UNAUTHENTICATED"], body


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: rs256(OTHER_PRIVATE, **good()), id="rs256-by-another-key"),
        pytest.param(hs256_signed_with_public_key, id="hs256-with-the-public-key-as-secret"),
        pytest.param(lambda: jwt.encode(claims(**good()), None, algorithm="none"), id="alg-none"),
        pytest.param(lambda: jwt.encode(claims(**good()), SECRET, algorithm="HS512"), id="hs512"),
    ],
)
async def test_signatures_only_by_the_configured_keys(configured: Client, token) -> None:  # type: ignore[no-untyped-def]
    body = await configured.gql(ME, token=token())
    assert error_codes(body) == ["UNAUTHENTICATED"], body


async def test_rs256_is_refused_without_a_configured_public_key(client: Client) -> None:
    body = await client.gql(ME, token=rs256())
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert "RS256" in body["errors"][0]["message"]


def test_the_public_key_may_be_given_as_a_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "idp.pem"
    path.write_text(PUBLIC_PEM)
    for value in (str(path), PUBLIC_PEM):
        settings = Settings.from_env({"HUB_JWT_PUBLIC_KEY": value, "HUB_JWT_REQUIRED_CLAIMS": "iat, jti"})
        assert settings.jwt_public_key == PUBLIC_PEM
        assert settings.jwt_required_claims == ("iat", "jti")


def test_a_remembered_token_is_still_refused_from_its_expiry_and_under_other_settings() -> None:
    """hub.auth remembers a verified token (the same one comes with every request) — never past its exp,
    never for settings that would refuse it, never for a token that differs from it in its signature."""
    from hub.auth import AuthenticationError, parse_token

    settings = Settings(jwt_secret=SECRET)
    expires = int(time.time()) + 2
    token = hs256(exp=expires)
    assert parse_token(token, settings).code == "62"
    assert parse_token(token, settings).subject == "acct"  # remembered
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    with pytest.raises(AuthenticationError, match="expired"):
        parse_token(token, settings)
    token = hs256()
    assert parse_token(token, settings).code == "62"
    with pytest.raises(AuthenticationError):
        parse_token(token, replace(settings, jwt_secret="another-secret-of-at-least-32-bytes!!"))
    with pytest.raises(AuthenticationError):
        parse_token(token, replace(settings, jwt_audience="hub"))
    head, body, signature = token.split(".")
    forged = ".".join([head, body, ("A" if signature[0] != "A" else "B") + signature[1:]])
    with pytest.raises(AuthenticationError):
        parse_token(forged, settings)
