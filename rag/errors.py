"""Errors a user can act on. The CLI prints their message on one line and exits non-zero."""


class RagError(Exception):
    exit_code = 2


class BadInput(RagError):
    """The question or a file cannot be used as given."""


class IndexMissing(RagError):
    exit_code = 3


class IndexCorrupt(RagError):
    exit_code = 3


class ModelMissing(RagError):
    exit_code = 4


class ModelVerificationError(RagError):
    """A weights file whose size or sha256 is not the pinned one: refuse to load it."""

    exit_code = 5


class BackendError(RagError):
    exit_code = 6
