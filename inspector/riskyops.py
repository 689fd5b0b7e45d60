"""The risky-op catalogue: op types that reach outside the tensor computation, and why each matters.

Every name here is registered in TensorFlow (a test checks the catalogue against the installed op
registry). `base` is the severity when the op is called (a signature, an object-graph function, an alias);
an op a loader runs at load is one step more severe (and at least an error for the families in
RUNS_AT_LOAD_FLOOR), an unreachable one two steps less.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from inspector.results.audit import Severity


class Family(StrEnum):
    PYTHON_CALLBACK = "python callback"
    FILE_READ = "file read"
    FILE_ACCESS_BY_ATTR = "file access (path in an attr)"
    FILE_WRITE = "file write"
    SUMMARY_WRITER = "summary writer"
    DEBUG_WRITER = "debug writer"
    OUTPUT = "output and termination"
    NETWORK = "network and distribution"
    HIDDEN_GRAPH = "hidden graph"
    SYSTEM = "system state"


@dataclass(frozen=True, slots=True)
class RiskyOp:
    op_type: str
    family: Family
    base: Severity
    reason: str


def _entries(family: Family, base: Severity, reason: str, *op_types: str) -> list[RiskyOp]:
    return [RiskyOp(op, family, base, reason) for op in op_types]


_CATALOGUE = [
    *_entries(
        Family.PYTHON_CALLBACK,
        Severity.ERROR,
        "runs whatever Python callable the loading process registered under its token; the code is not in "
        "the model, and it fails outright in C++ serving (TF Serving, TFLite)",
        "PyFunc",
        "PyFuncStateless",
        "EagerPyFunc",
    ),
    *_entries(
        Family.FILE_READ,
        Severity.ERROR,
        "reads a file whose path is an input: a request or a constant decides what leaves the server's disk",
        "ReadFile",
        "MatchingFiles",
        "GenerateVocabRemapping",
        "LoadAndRemapMatrix",
        "WholeFileReader",
        "WholeFileReaderV2",
        "TextLineReader",
        "TextLineReaderV2",
        "FixedLengthRecordReader",
        "FixedLengthRecordReaderV2",
        "TFRecordReader",
        "TFRecordReaderV2",
        "LMDBReader",
        "ReaderRead",
        "ReaderReadV2",
        "ReaderReadUpTo",
        "ReaderReadUpToV2",
        "TextLineDataset",
        "TFRecordDataset",
        "TFRecordDatasetV2",
        "FixedLengthRecordDataset",
        "FixedLengthRecordDatasetV2",
        "CSVDataset",
        "CSVDatasetV2",
        "ExperimentalCSVDataset",
        "LMDBDataset",
        "ExperimentalLMDBDataset",
        "MatchingFilesDataset",
        "ExperimentalMatchingFilesDataset",
        "SqlDataset",
        "ExperimentalSqlDataset",
        "LoadDataset",
        "SnapshotDatasetReader",
    ),
    *_entries(
        Family.FILE_READ,
        Severity.WARNING,
        "reads a file at load or run time (vocabulary or checkpoint); expected for lookup tables and restores, "
        "worth a look anywhere else",
        "InitializeTableFromTextFile",
        "InitializeTableFromTextFileV2",
        "Restore",
        "RestoreV2",
        "RestoreSlice",
    ),
    *_entries(
        Family.FILE_ACCESS_BY_ATTR,
        Severity.ERROR,
        "opens a file named in an attr, where input-only scanners do not look",
        "ImmutableConst",
        "RecordInput",
        "FixedUnigramCandidateSampler",
        "Skipgram",
        "DecodeProtoV2",
        "EncodeProto",
    ),
    *_entries(
        Family.FILE_WRITE,
        Severity.ERROR,
        "writes or deletes files on the machine that runs the model",
        "WriteFile",
        "Save",
        "SaveV2",
        "SaveSlices",
        "MergeV2Checkpoints",
        "SaveDataset",
        "SaveDatasetV2",
        "DatasetToTFRecord",
        "ExperimentalDatasetToTFRecord",
        "SnapshotDataset",
        "SnapshotDatasetV2",
        "CacheDataset",
        "CacheDatasetV2",
        "DistributedSave",
    ),
    *_entries(
        Family.SUMMARY_WRITER,
        Severity.ERROR,
        "creates or writes TensorBoard event files or a summary database",
        "CreateSummaryFileWriter",
        "CreateSummaryDbWriter",
        "SummaryWriter",
        "WriteSummary",
        "WriteScalarSummary",
        "WriteHistogramSummary",
        "WriteImageSummary",
        "WriteAudioSummary",
        "WriteGraphSummary",
        "WriteRawProtoSummary",
        "ImportEvent",
        "FlushSummaryWriter",
        "CloseSummaryWriter",
    ),
    *_entries(
        Family.DEBUG_WRITER,
        Severity.ERROR,
        "dumps tensors to its debug_urls (file:// or grpc://)",
        "DebugIdentity",
        "DebugIdentityV2",
        "DebugIdentityV3",
        "DebugNanCount",
        "DebugNumericSummary",
        "DebugNumericSummaryV2",
    ),
    *_entries(
        Family.OUTPUT,
        Severity.WARNING,
        "prints tensors; its output_stream may be a file (file://PATH)",
        "Print",
        "PrintV2",
    ),
    *_entries(Family.OUTPUT, Severity.ERROR, "terminates the serving process", "Abort"),
    *_entries(Family.OUTPUT, Severity.NOTE, "fails the request when its condition is false", "Assert"),
    *_entries(
        Family.NETWORK,
        Severity.ERROR,
        "talks to other machines: RPC, tf.data service, remote functions or collectives",
        "RpcServer",
        "RpcServerStart",
        "RpcServerRegister",
        "RpcClient",
        "RpcCall",
        "RpcCheckStatus",
        "RpcGetValue",
        "DataServiceDataset",
        "DataServiceDatasetV2",
        "DataServiceDatasetV3",
        "DataServiceDatasetV4",
        "RegisterDataset",
        "RegisterDatasetV2",
        "RemoteCall",
        "Send",
        "Recv",
        "CollectiveReduce",
        "CollectiveReduceV2",
        "CollectiveGather",
        "CollectiveGatherV2",
        "CollectiveBcastSend",
        "CollectiveBcastRecv",
        "FileSystemSetConfiguration",
    ),
    *_entries(
        Family.HIDDEN_GRAPH,
        Severity.WARNING,
        "rebuilds a graph or object from serialized bytes, which input-only scanners cannot see into",
        "DatasetFromGraph",
        "DeserializeIterator",
        "ParseTensor",
    ),
    *_entries(
        Family.SYSTEM,
        Severity.ERROR,
        "configures or shuts down accelerators for the whole process",
        "ConfigureDistributedTPU",
        "ShutdownDistributedTPU",
        "ShutdownTPUSystem",
    ),
]

CATALOGUE: Mapping[str, RiskyOp] = MappingProxyType({entry.op_type: entry for entry in _CATALOGUE})

#: Families whose op is at least an error when a loader runs it at load: nobody chose to call it.
RUNS_AT_LOAD_FLOOR = frozenset(
    {
        Family.PYTHON_CALLBACK,
        Family.FILE_READ,
        Family.FILE_ACCESS_BY_ATTR,
        Family.FILE_WRITE,
        Family.SUMMARY_WRITER,
        Family.DEBUG_WRITER,
        Family.NETWORK,
        Family.SYSTEM,
    }
)
