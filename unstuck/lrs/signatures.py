"""Signed statements (xAPI-Data.md "Signature"): a JWS in compact serialization sent as an
attachment with usageType .../attachments/signature.

The LRS MUST reject a signature that cannot be decoded, uses an algorithm other than
RS256/RS384/RS512, or whose payload is not equivalent to the statement as it was before
the signature attachment was added. When the JWS header carries an X.509 chain (`x5c`),
the signature is also verified with the first certificate's public key.
"""

from __future__ import annotations

import base64
import json
from typing import Any, cast

import jwt
from cryptography import x509

ALGORITHMS = ("RS256", "RS384", "RS512")
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"


class SignatureError(ValueError):
    pass


def _unsigned(statement: dict) -> dict:
    out = {k: v for k, v in statement.items() if k not in ("stored", "authority", "version")}
    atts = [a for a in statement.get("attachments", ()) if a.get("usageType") != SIGNATURE_USAGE]
    if atts:
        out["attachments"] = atts
    else:
        out.pop("attachments", None)
    return out


def verify(statement: dict, jws: bytes) -> None:
    try:
        token = jws.decode("ascii").strip()
        header = jwt.get_unverified_header(token)
    except (UnicodeDecodeError, jwt.exceptions.DecodeError) as exc:
        raise SignatureError(
            f"the signature is not a JWS in compact serialization ({exc})"
        ) from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise SignatureError(f"the signature algorithm must be RS256, RS384 or RS512, not {alg!r}")
    try:
        payload_b64 = token.split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    except (IndexError, ValueError) as exc:
        raise SignatureError(f"the signature's payload is not JSON ({exc})") from None
    if header.get("x5c"):
        try:
            der = base64.b64decode(header["x5c"][0])
            key = cast(Any, x509.load_der_x509_certificate(der).public_key())
            jwt.api_jws.PyJWS().decode_complete(token, key=key, algorithms=[alg])
        except (ValueError, TypeError, jwt.exceptions.PyJWTError) as exc:
            raise SignatureError(
                f"the signature does not verify with its x5c certificate ({exc})"
            ) from None
    if not isinstance(payload, dict):
        raise SignatureError("the signature's payload is not a statement")
    expected = _unsigned(statement)
    got = _unsigned(payload)
    if "id" not in got:
        expected.pop("id", None)
    from .services import statements_equal

    if not statements_equal(
        {**got, "id": got.get("id", "")}, {**expected, "id": expected.get("id", "")}
    ):
        raise SignatureError("the signature's payload differs from the statement")
