"""Petitioners' personal data at rest (S-17): SM4-GCM ciphertext, HMAC-SM3 search hashes, masks.

GB/T 39786-2021 asks for the national algorithms, so: SM4 (128-bit block cipher) in GCM mode for
confidentiality and integrity, HMAC-SM3 for the keyed hashes that make an ID number or a phone
number findable without decrypting every row. Both keys are derived from one secret,
`settings.PETITION_DATA_KEY`, with distinct labels, so a leaked search hash says nothing about the
encryption key.

Ciphertext is versioned: ``v1$<base64url(nonce ‖ ciphertext ‖ tag)>``. A new key or algorithm
gets ``v2`` and old rows stay readable while they are re-encrypted.
"""

from __future__ import annotations

import base64
import hmac as std_hmac
import os
import secrets
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """The stored value is not ours, or was altered."""


def _derive(label: bytes) -> bytes:
    secret = settings.PETITION_DATA_KEY
    if not secret:
        raise ImproperlyConfigured(
            "PETITION_DATA_KEY is not set: production needs a long random PETITION_DATA_KEY in "
            "the environment to encrypt petitioners' personal data (see .env.example)."
        )
    h = hmac.HMAC(secret.encode(), hashes.SM3())
    h.update(b"zhengban-petitions/" + label)
    return h.finalize()


def _enc_key() -> bytes:
    return _derive(b"sm4-gcm")[:16]


def _mac_key() -> bytes:
    return _derive(b"hmac-sm3")


def encrypt(plain: str) -> str:
    """'' stays '' (nothing given); anything else becomes versioned ciphertext."""
    if not plain:
        return ""
    nonce = os.urandom(NONCE_BYTES)
    enc = Cipher(algorithms.SM4(_enc_key()), modes.GCM(nonce)).encryptor()
    body = enc.update(plain.encode()) + enc.finalize()
    raw = nonce + body + enc.tag
    return f"{VERSION}${base64.urlsafe_b64encode(raw).decode()}"


def decrypt(token: str) -> str:
    if not token:
        return ""
    version, _, payload = token.partition("$")
    if version != VERSION:
        raise DecryptionError(f"unknown ciphertext version {version!r}")
    raw = base64.urlsafe_b64decode(payload.encode())
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(_enc_key()), modes.GCM(nonce, tag)).decryptor()
    try:
        return (dec.update(body) + dec.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext does not verify") from exc


def normalise(kind: str, value: str) -> str:
    """The canonical form hashed for search: full-width digits folded, spaces and dashes gone,
    an ID number's check letter upper-cased, a phone's +86 dropped."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    if kind in ("id", "phone"):
        value = "".join(ch for ch in value if ch.isalnum()).upper()
    if kind == "phone" and value.startswith("86") and len(value) == 13:
        value = value[2:]
    return value


def keyed_hash(kind: str, value: str) -> str:
    """HMAC-SM3 of the normalised value, hex; '' for nothing given."""
    value = normalise(kind, value)
    if not value:
        return ""
    h = hmac.HMAC(_mac_key(), hashes.SM3())
    h.update(kind.encode() + b":" + value.encode())
    return h.finalize().hex()


def same(a: str, b: str) -> bool:
    """Constant-time comparison (the look-up's last four digits)."""
    return std_hmac.compare_digest(a.encode(), b.encode())


# --- Masks ---------------------------------------------------------------------------------
def mask_id(value: str) -> str:
    """150221********1234 → the region code and the last four, never the birth date."""
    value = normalise("id", value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    value = normalise("phone", value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str) -> str:
    """The first six characters (the district), the rest hidden."""
    if not value:
        return ""
    return value[:6] + "＊＊＊"


# --- Query codes (S-18) -----------------------------------------------------------------------
QUERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone
QUERY_LENGTH = 17  # 31^17 ≈ 2^84 > 2^80


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_ALPHABET) for _ in range(QUERY_LENGTH))


def normalise_query_code(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(ch for ch in value if ch in QUERY_ALPHABET)


def format_query_code(code: str) -> str:
    """Groups of four or five for reading aloud: ABCD-EFGH-JKMN-PQRST."""
    return "-".join([code[0:4], code[4:8], code[8:12], code[12:]])
