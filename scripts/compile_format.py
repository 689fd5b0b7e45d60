"""Compile inspector/format/savedmodel_format.proto with protoc (grpcio-tools, the dev extra) into what inspector ships:

savedmodel_format.desc       the FileDescriptorProto the reader's pool loads
savedmodel_format_pb2.pyi    the message types, for mypy

python scripts/compile_format.py           # after changing the .proto; review the diff
python scripts/compile_format.py --check   # exit 1 if the shipped files are not the .proto's
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "inspector" / "format"
PROTO = "savedmodel_format.proto"
OUTPUTS = ("savedmodel_format.desc", "savedmodel_format_pb2.pyi")


def compile_proto() -> dict[str, bytes]:
    """What protoc makes of the .proto: the shipped files' names and bytes."""
    from google.protobuf import descriptor_pb2
    from grpc_tools import protoc  # type: ignore[import-untyped]

    # protoc's own copy of the well-known types (google/protobuf/any.proto), which the .proto imports.
    well_known = Path(protoc.__file__).resolve().parent / "_proto"
    with tempfile.TemporaryDirectory(prefix="inspector-protoc-") as folder:
        out = Path(folder)
        status = protoc.main(
            [
                "protoc",
                f"--proto_path={HERE}",
                f"--proto_path={well_known}",
                f"--descriptor_set_out={out / 'set.desc'}",
                f"--pyi_out={out}",
                str(HERE / PROTO),
            ]
        )
        if status != 0:
            raise SystemExit(f"protoc failed on {HERE / PROTO} (exit {status})")
        files = descriptor_pb2.FileDescriptorSet.FromString((out / "set.desc").read_bytes())
        [described] = files.file  # one file; its import (any.proto) is protobuf's own, not shipped
        return {
            OUTPUTS[0]: described.SerializeToString(deterministic=True),
            OUTPUTS[1]: precise_stub((out / OUTPUTS[1]).read_bytes()),
        }


def precise_stub(stub: bytes) -> bytes:
    """protoc types a message field's initialiser as `Union[Message, Mapping]`, a bare Mapping: that is
    `Mapping[Any, Any]`, so every message class would carry Any into the modules that must hold none
    (mypy's disallow_any_expr). A message is initialised from a mapping of its field names."""
    return stub.replace(b", _Mapping]", b", _Mapping[str, object]]")


def stale() -> list[str]:
    """The shipped files that differ from what the .proto compiles to."""
    return [name for name, data in compile_proto().items() if (HERE / name).read_bytes() != data]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the shipped files are fresh")
    args = parser.parse_args(argv)
    if args.check:
        names = stale()
        for name in names:
            sys.stderr.write(f"{HERE / name}: stale; run python scripts/compile_format.py\n")
        return 1 if names else 0
    for name, data in compile_proto().items():
        (HERE / name).write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
