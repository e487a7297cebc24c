"""Password hashing tuned for a login storm (scale.md: up to 120 logins/s at the rentrée)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class MbnArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane): about 60 ms of one core here.

    Django's defaults (100 MiB, 8 lanes) cost about 400 ms per login on a 2-core machine. Hashes
    made with other parameters are upgraded at the next successful login.
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
