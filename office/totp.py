"""Time-based one-time passwords for the second factor (SECURITY.md S-04; 等保 8.1.4.1 b:
"应采用口令、密码技术、生物技术等两种或两种以上组合的鉴别技术对用户进行身份鉴别").

RFC 6238 (TOTP) over RFC 4226 (HOTP): HMAC-SHA1, 6 digits, 30-second steps — what every
authenticator app (Google/Microsoft Authenticator, FreeOTP, 宁盾, 身份宝 …) reads from an
``otpauth://`` QR code. A code is accepted for the current step and one step either side (clock
drift), and never twice: the caller keeps the last step used (RFC 6238 §5.2).

The shared secret is stored encrypted (AES-256-GCM under a key derived from SECRET_KEY with
HKDF), so a copy of the database alone does not give the second factor away.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, the length RFC 4226 §4 recommends for HMAC-SHA1


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def hotp(secret: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 §5.3: HMAC-SHA1 of the counter, dynamic truncation, modulo 10^digits."""
    mac = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    binary = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def step_at(when: float | None = None) -> int:
    return int((time.time() if when is None else when) // STEP_SECONDS)


def matching_step(secret: bytes, code: str, *, when: float | None = None, after: int = -1):
    """The time step whose code equals ``code`` (within the drift window and later than
    ``after``, the last step already used), or None. Compared in constant time."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    now = step_at(when)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(hotp(secret, step), code):
            found = step
    return found


def base32(secret: bytes) -> str:
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def grouped(secret: bytes) -> str:
    """The secret as people type it into an app: groups of four letters."""
    text = base32(secret)
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(secret: bytes, *, account: str, issuer: str) -> str:
    """The Key Uri Format authenticator apps read from the QR code. SHA-1, 6 digits and 30
    seconds are that format's defaults, and the issuer goes in its parameter only, so the URI
    fits the small QR code of office.qr (106 bytes)."""
    label = quote(account, safe="")
    query = urlencode({"secret": base32(secret), "issuer": issuer}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"


def _key() -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"zhengban.totp", info=b"secret-at-rest"
    ).derive(settings.SECRET_KEY.encode())


def seal(secret: bytes) -> str:
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + AESGCM(_key()).encrypt(nonce, secret, b"totp")).decode()


def unseal(stored: str) -> bytes | None:
    """The secret, or None when it cannot be decrypted (SECRET_KEY changed: enrol again)."""
    try:
        raw = base64.b64decode(stored)
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], b"totp")
    except (InvalidTag, ValueError):
        return None
