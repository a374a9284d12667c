"""Password hashing with Argon2id (pwdlib)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher().hash("decoy password for unknown e-mails")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash (unknown e-mail) spend the same time and answer False."""
    if password_hash is None:
        _hasher().verify(password, _decoy_hash())
        return False
    return _hasher().verify(password, password_hash)
