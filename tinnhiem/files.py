"""A file written by a use case is kept only if the use case's transaction is.

A dossier, an explanation's PDF or a scanned page's image is written to the data folder before its
row is saved, in the use case's transaction. When that transaction is rolled back (the disk filled,
a constraint, anything), no row refers to the file: left there, it would take space and outlive
the retention of the record it was part of. Django's storage also leaves a file cut short where it
was when the disk fills while writing it. So the name of each file is noted before it is written,
and the files are removed when the use case fails::

    @files_removed_on_failure      # outside: runs once the transaction is rolled back
    @transaction.atomic
    def upload_dossier(...):
        ...
        save_file(dossier.file, "dossier.pdf", data)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.utils.formats import number_format

F = TypeVar("F", bound=Callable[..., Any])

_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("tinnhiem_files_written", default=None)


def save_file(field_file: FieldFile, filename: str, data: bytes) -> None:
    """Write ``data`` as the file of ``field_file`` (its model's row not saved), under the name its
    field makes; noted first for ``files_removed_on_failure``."""
    written = _written.get()
    if written is None:
        raise RuntimeError("save_file outside a use case decorated with files_removed_on_failure")
    name = field_file.field.generate_filename(field_file.instance, filename)
    storage = field_file.storage
    written.append((storage, name))  # before it is written: a file cut short by a full disk goes too
    field_file.name = storage.save(name, ContentFile(data))
    if field_file.name != name:  # the storage chose another name (the random one was taken)
        written.append((storage, field_file.name))


def remove_quietly(storage: Storage, names: list[str]) -> int:
    """Remove files by name; how many could not be (a file already gone is not one of them)."""
    left = 0
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            left += 1
    return left


def files_removed_on_failure(function: F) -> F:
    """Remove the files ``save_file`` wrote during ``function`` if it raises. Put it outside the
    use case's ``transaction.atomic``. Nested in another such use case, the files it wrote are
    also the outer one's: removed if the outer one fails."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = _written.get()
        written: list[tuple[Storage, str]] = []
        token = _written.set(written)
        try:
            result = function(*args, **kwargs)
        except BaseException:
            for storage, name in written:
                remove_quietly(storage, [name])
            raise
        finally:
            _written.reset(token)
        if outer is not None:
            outer.extend(written)
        return result

    return wrapper  # type: ignore[return-value]


def megabytes(size: int) -> str:
    """A size in bytes as MB with one decimal, written as the reader's language writes numbers
    ("1,5" in Vietnamese, where "1.5" reads as a thousands separator)."""
    return number_format(size / 1024 / 1024, 1)
