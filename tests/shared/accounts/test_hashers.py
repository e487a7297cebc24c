from __future__ import annotations

from shared.accounts.hashers import MbnArgon2PasswordHasher


def test_passwords_are_hashed_with_argon2id_at_the_login_storm_cost() -> None:
    # given our hasher
    hasher = MbnArgon2PasswordHasher()
    # when a password is hashed
    encoded = hasher.encode("un mot de passe assez long", hasher.salt())
    # then Argon2id with 19 MiB, 2 passes, 1 lane, and it verifies
    assert encoded.startswith("argon2$argon2id$")
    assert "m=19456,t=2,p=1" in encoded
    assert hasher.verify("un mot de passe assez long", encoded)
    assert not hasher.verify("un autre mot de passe", encoded)
    assert not hasher.must_update(encoded)
