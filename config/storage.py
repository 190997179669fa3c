"""Static files storage: hashed and compressed after collectstatic, plain names before it."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's manifest storage that falls back to plain names until a manifest exists.

    `make run` and the tests serve straight from the app folders (WHITENOISE_USE_FINDERS);
    production runs collectstatic and gets long-cached, hashed names.
    """

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)
