"""Encryption at rest of appellants' personal data (name, phone, address).

AES-256-GCM with a fresh 96-bit nonce per value; the stored value is nonce ‖ ciphertext ‖ tag. The
associated data binds each value to its case and field, so a ciphertext copied into another row or
column fails to decrypt instead of showing someone else's phone number. Each case stores the id of
the key that encrypted it: rotation is not implemented, but a ledger opened with another key
refuses to decrypt by name rather than failing with an opaque authentication error.

Generate a key with
`python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`.
"""

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class LedgerKeyError(Exception):
    """Personal data that the configured key cannot decrypt."""


class PersonalDataCipher:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        # Ids and fingerprints use keys derived for that purpose alone, never the encryption key.
        self.key_id = hmac.new(key, b"minsheng ledger key id", hashlib.sha256).hexdigest()[:16]
        self._fingerprint_key = hmac.new(key, b"minsheng ledger fingerprint", hashlib.sha256).digest()

    def encrypt(self, plaintext: str | None, case_number: str, field: str) -> bytes | None:
        if plaintext is None:
            return None
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), _associated(case_number, field))

    def decrypt(self, stored: bytes | None, key_id: str | None, case_number: str, field: str) -> str | None:
        if stored is None:
            return None
        if key_id != self.key_id:
            raise LedgerKeyError(
                f"case {case_number}: {field} was encrypted with key {key_id}, "
                f"but MINSHENG_LEDGER_KEY is key {self.key_id}"
            )
        try:
            plaintext = self._aead.decrypt(
                stored[:NONCE_BYTES], stored[NONCE_BYTES:], _associated(case_number, field)
            )
        except InvalidTag:
            raise LedgerKeyError(
                f"case {case_number}: {field} does not decrypt (tampered or moved)"
            ) from None
        return plaintext.decode()

    def fingerprint(self, data: bytes) -> str:
        """A keyed digest: job receipts compare requests by it without storing personal data, and a
        phone number cannot be recovered from it by trying every number."""
        return hmac.new(self._fingerprint_key, data, hashlib.sha256).hexdigest()


def _associated(case_number: str, field: str) -> bytes:
    return f"{case_number}/{field}".encode()
