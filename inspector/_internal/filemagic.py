"""What a file is, from its first bytes: the checks every load makes (is saved_model.pb really a Keras
file?), kept apart from `filecontent`, which opens archives and pickles and imports what that takes."""

from __future__ import annotations

#: The bytes of a file read to tell what it is.
SNIFF_BYTES = 4096

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def is_hdf5(head: bytes) -> bool:
    # The superblock sits at 0 or, after a user block, at 512, 1024, 2048...: within the sniffed head.
    return head[:8] == _HDF5_MAGIC or any(head[at : at + 8] == _HDF5_MAGIC for at in (512, 1024, 2048))


def keras_file_kind(head: bytes) -> str | None:
    """What a file that is not a SavedModel is, when it is a Keras model file, from its first bytes."""
    if is_hdf5(head):
        return "an HDF5 file (a Keras .h5)"
    if is_zip(head):
        return "a zip archive (a Keras .keras file, or another archive)"
    return None
