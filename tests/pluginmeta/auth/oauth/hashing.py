"""A password hasher that counts its work, to see how many secret hashes a request costs."""

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 hasher (cheap, as the tests' hasher is), counting every hash it computes."""

    algorithm = "counting_md5"
    hashes = 0

    def encode(self, password, salt):
        CountingHasher.hashes += 1
        return super().encode(password, salt)
