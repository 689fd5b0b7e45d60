"""`inspector report`'s page: the overview, signatures, functions and aliases, namespaces, op types,
assets, variables, call trees and integrity."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from inspector._internal.render.pagemodel import (
    MAX_ITEMS,
    MORE_HINT,
    Block,
    Cell,
    Column,
    Entries,
    Entry,
    KeyValues,
    Line,
    Paragraph,
    Section,
    Span,
    Table,
    Tone,
    Tree,
    cell,
    cells,
    dim,
    line,
    more,
    name,
)
from inspector._internal.render.words import contents, function_label, listing, plural
from inspector._internal.view import DebugInfoStatus, Signature, TensorSpec
from inspector.results.report import FingerprintStatus, Recorded, Report

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector._internal.view import AliasTarget
    from inspector.results.report import CallTreeNode, ConcreteFunction, DebugInfoSummary, Overview

from inspector._internal.render.pages.common import (
    Parts,
    count_rest,
    note_paragraph,
    rest_line,
    section_of,
    titled,
    user_trace,
)


def report_page(report: Report) -> Parts:
    flagged: list[Block] = (
        [Section(line(f"Ops outside the whitelist ({len(report.flagged_ops)})"), _flagged(report), Tone.BAD)]
        if report.flagged_ops
        else []
    )
    counts = report.overview.counts
    summary = line(
        Span(
            f"{plural(counts.signatures, 'signature')} · {plural(counts.aliases, 'alias', 'aliases')} · "
            f"{plural(report.concrete_function_count, 'concrete function')} · "
            f"{plural(counts.functions, 'library function')} · {plural(counts.nodes, 'node')} · "
            f"{plural(counts.namespaces, 'namespace')}",
            Tone.STRONG,
        )
    )
    # The risky op types are said once, in the headline (words.headline), with the audit to run.
    sections: list[Block] = [section_of("Overview", _overview(report.overview))]
    if report.warnings:
        warnings = tuple(Paragraph(line(Span("! ", Tone.WARN), w)) for w in report.warnings)
        sections.append(Section(line("Warnings"), warnings, Tone.WARN))
    sections += [
        section_of("Signatures", _signatures(report.signatures)),
        section_of("Functions", _functions(report)),
        section_of("Aliases", _aliases(report)),
        section_of("Save options", _save_options(report)),
        section_of("Namespaces", *_namespaces(report)),
        section_of("Op types", _op_types(report)),
        section_of("Variables", *_variables(report)),
        section_of("Assets", *_assets(report)),
        *([section_of("XLA modules", _xla_modules(report))] if report.xla_modules else []),
        section_of("Function call tree", *_call_trees(report)),
        *flagged,
        section_of("Integrity", *_integrity(report)),
    ]
    return titled("SavedModel report", report.overview.path), sections, flagged, summary


def _overview(overview: Overview) -> KeyValues:
    written = [name(overview.tensorflow_version or "unknown")]
    if overview.tensorflow_git_version:
        written += [Span(" ("), name(overview.tensorflow_git_version), Span(")")]
    tags = [name(listing(overview.tags) or "(no tags)")]
    if len(overview.all_tag_sets) > 1:
        others = " | ".join(",".join(t) or "(no tags)" for t in overview.all_tag_sets)
        tags.append(dim(f"   (meta graphs: {others})"))
    rows: list[tuple[str, Line]] = [
        ("Path", line(name(str(overview.path)))),
        ("Model file", line(name(overview.model_file.name))),
        ("Written by", line("TensorFlow ", *written)),
        ("Versions", line(f"producer {overview.producer}, min_consumer {overview.min_consumer}")),
        ("Tags", tuple(tags)),
        ("Contents", line(" · ".join(contents(overview.counts)))),
        ("Debug info", _debug_info(overview.debug_info)),
        ("Fingerprint", _fingerprint(overview)),
    ]
    return KeyValues(tuple(rows))


def _debug_info(summary: DebugInfoSummary) -> Line:
    if summary.status is DebugInfoStatus.MISSING:
        return line(Span("none (saved without save_debug_info=True)", Tone.WARN))
    if summary.status is DebugInfoStatus.CORRUPT:
        return line(Span("corrupt: ", Tone.BAD), summary.problem or "")
    parts: list[Span] = []
    if summary.coverage_percent is None:
        parts.append(Span("present, no function nodes to cover"))
    else:
        tone = Tone.GOOD if summary.coverage_percent >= 90 else Tone.WARN
        parts.append(Span(f"{summary.coverage_percent:.1f}%", tone))
        parts.append(Span(f" of function nodes traced ({summary.traced_nodes}/{summary.function_nodes})"))
    layout = summary.layout.value if summary.layout else "unknown"
    parts.append(
        Span(
            f", {plural(summary.distinct_traces, 'distinct trace')}, {plural(summary.files, 'file')}, "
            f"{layout} layout"
        )
    )
    if summary.stale_keys:
        parts.append(Span(f"; {summary.stale_keys} keys name functions absent from the model", Tone.WARN))
    return tuple(parts)


def _fingerprint(overview: Overview) -> Line:
    fp = overview.fingerprint
    if fp is None:
        return line(dim("none"))
    return line(
        f"checksum {fp.saved_model_checksum:016x} · graph {fp.graph_def_program_hash:016x} · "
        f"signatures {fp.signature_def_hash:016x} · objects {fp.saved_object_graph_hash:016x} · "
        f"checkpoint {fp.checkpoint_hash:016x} (fingerprint v{fp.version})"
    )


def _tensor_specs(specs: tuple[TensorSpec, ...]) -> Cell:
    lines: list[Line] = []
    for spec in specs[:MAX_ITEMS]:
        if spec.is_op:  # an op output such as the init op's NoOp
            lines.append(line(name(spec.name, Tone.STRONG), " → ", name(spec.tensor_name)))
        else:
            parts = [name(spec.name, Tone.STRONG), Span(f": {spec.dtype}"), name(spec.shape_text)]
            if spec.tensor_name:
                parts += [Span(" "), Span(spec.tensor_name, Tone.DIM, name=True)]
            lines.append(line(*parts))
    if len(specs) > MAX_ITEMS:
        lines.append(line(dim(f"… {plural(len(specs) - MAX_ITEMS, 'more tensor')}")))
    return tuple(lines) or cell(dim("—"))


def _signatures(signatures: tuple[Signature, ...]) -> Block:
    if not signatures:
        return note_paragraph("No signatures.")
    rows: list[tuple[Cell, ...]] = []
    for signature in signatures[:MAX_ITEMS]:
        label: list[Line] = [line(name(signature.name))]
        if signature.method_name:
            label.append(line(Span(signature.method_name, Tone.DIM, name=True)))
        elif signature.is_init_op:
            label.append(line(dim("runs at load time")))
        calls = cells(line(name(f)) for f in signature.functions) or cell(dim("—"))
        rows.append((tuple(label), _tensor_specs(signature.inputs), _tensor_specs(signature.outputs), calls))
    return Table(
        (Column("Signature", Tone.ACCENT), Column("Inputs"), Column("Outputs"), Column("Calls")),
        tuple(rows),
        rest_line(len(signatures), "more signature"),
    )


def _functions(report: Report) -> Block:
    """Every tf.function of the object graph and each of its concrete functions' input signature."""
    if not report.functions:
        return note_paragraph("No tf.function in the saved object graph (a TF1 model has none).")

    def leaf(branch: Tree, concrete: ConcreteFunction) -> None:
        label = [name(concrete.function, Tone.STRONG)]
        if concrete.alias:
            label += [dim("  alias "), name(concrete.alias, Tone.ACCENT)]
        added = branch.add(tuple(label))
        signature = concrete.input_signature
        added.add(
            line(name(signature, Tone.GOOD)) if signature else line(dim("input signature not recorded"))
        )
        if concrete.signatures:
            added.add(line(dim("reached by signatures: "), name(listing(concrete.signatures))))

    groups = [(f.object_path, f.concrete_functions) for f in report.functions]
    return _concrete_tree("object path → concrete functions (input signature)", groups, leaf, "more function")


_RECORDED_TONE = {Recorded.YES: Tone.GOOD, Recorded.NO: Tone.DIM, Recorded.NEVER: Tone.WARN}


def _save_options(report: Report) -> Block:
    rows = tuple(
        (
            cell(name(option.option)),
            cell(Span(f"{option.recorded.value}: ", _RECORDED_TONE[option.recorded]), option.value),
            cell(dim(option.evidence)),
        )
        for option in report.save_options
    )
    return Table(
        (Column("SaveOptions field", Tone.ACCENT), Column("In the model"), Column("Evidence", Tone.DIM)), rows
    )


def _integrity(report: Report) -> list[Block]:
    blocks: list[Block] = []
    if report.unlisted_ops:
        blocks.append(
            note_paragraph(
                f"{plural(len(report.unlisted_ops), 'op type')} used but missing from stripped_op_list "
                "(TensorFlow's save-time walk, and its namespace whitelist check, missed them):",
                Tone.WARN,
            )
        )
        entries = []
        for op in report.unlisted_ops:
            sites = tuple(line(dim("created at "), name(f"{s.file}:{s.line}")) for s in op.sources)
            head = line(name(op.op_type, Tone.STRONG), dim(" in "), name(listing(op.functions)))
            entries.append(Entry(head, sites))
        blocks.append(Entries(tuple(entries)))
    else:
        blocks.append(note_paragraph("stripped_op_list lists every op type the functions use."))
    check = report.fingerprint_check
    if check is None:
        blocks.append(note_paragraph("fingerprint not verified against the files (--verify-fingerprint)"))
    elif check.status is FingerprintStatus.MATCH:
        matches = [Span("fingerprint matches the model's files", Tone.GOOD)]
        if check.detail:
            matches += [Span("; ", Tone.GOOD), Span(check.detail, Tone.WARN)]
        blocks.append(Paragraph(tuple(matches)))
    else:
        tone = Tone.BAD if check.status is FingerprintStatus.MISMATCH else Tone.WARN
        blocks.append(Paragraph(line(Span(f"fingerprint {check.status.value}: ", tone), check.detail)))
    return blocks


def _aliases(report: Report) -> Block:
    if not report.aliases:
        return note_paragraph(
            "No function aliases (save with function_aliases={...}, or `inspector save --alias`)."
        )

    def leaf(branch: Tree, target: AliasTarget) -> None:
        label = [name(target.function, Tone.STRONG if target.in_library else Tone.PLAIN)]
        if target.input_signature:
            label += [Span(" "), name(target.input_signature, Tone.GOOD)]
        if not target.in_library:
            label.append(Span("  not in the function library", Tone.WARN))
        added = branch.add(tuple(label))
        if target.signatures:
            added.add(line(dim("reached by signatures: "), name(listing(target.signatures))))
        if target.object_paths:
            added.add(line(dim("object paths: "), name(listing(target.object_paths))))

    groups = [(alias.name, alias.targets) for alias in report.aliases]
    return _concrete_tree("alias → concrete functions", groups, leaf, "more alias")


_Target = TypeVar("_Target")


def _concrete_tree(
    heading: str,
    groups: Sequence[tuple[str, Sequence[_Target]]],
    leaf: Callable[[Tree, _Target], None],
    noun: str,
) -> Tree:
    """A name → its concrete functions tree (a tf.function's object path, an alias), each list cut at
    MAX_ITEMS with the rest counted; `leaf` draws one concrete function under its branch."""
    tree = Tree(line(dim(heading)))
    for label, targets in groups[:MAX_ITEMS]:
        branch = tree.add(
            line(name(label, Tone.ACCENT), dim(f"  ({plural(len(targets), 'concrete function')})"))
        )
        for target in targets[:MAX_ITEMS]:
            leaf(branch, target)
        count_rest(branch, len(targets), "more concrete function")
    count_rest(tree, len(groups), noun)
    return tree


_WHITELIST_STATUS = {
    None: Span("unchecked", Tone.DIM),
    True: Span("✓ allowed", Tone.GOOD),
    False: Span("✗ not whitelisted", Tone.BAD),
}


def _namespaces(report: Report) -> list[Block]:
    blocks: list[Block] = []
    if report.whitelist is None:
        blocks.append(
            note_paragraph(
                "No whitelist given: namespaced ops are not checked (TensorFlow's default). "
                "Use --whitelist NS to check them."
            )
        )
    else:
        shown = listing(report.whitelist) if report.whitelist else "(empty: no namespace allowed)"
        blocks.append(Paragraph(line(dim("Whitelist: "), name(shown))))
    if not report.namespaces:
        blocks.append(note_paragraph("No namespaced (Namespace>Op) op types."))
        return blocks
    rows = [
        (
            cell(name(usage.namespace)) if index == 0 else cell(),
            cell(name(op.op_type)),
            cell(str(op.node_count)),
            cells(line(name(function_label(f))) for f in op.functions[:MAX_ITEMS]),
            cell(_WHITELIST_STATUS[usage.whitelisted]),
        )
        for usage in report.namespaces
        for index, op in enumerate(usage.op_types)
    ]
    columns = (
        Column("Namespace", Tone.ACCENT),
        Column("Op type"),
        Column("Nodes", align="right"),
        Column("Functions"),
        Column("Whitelist", no_wrap=True),
    )
    blocks.append(Table(columns, tuple(rows[:MAX_ITEMS]), rest_line(len(rows), "more op type")))
    return blocks


def _op_types(report: Report) -> Block:
    rows = tuple(
        (cell(name(c.op_type)), cell(str(c.node_count)), cell(str(c.function_count)))
        for c in report.op_types[:MAX_ITEMS]
    )
    hidden = report.op_types[MAX_ITEMS:]
    rest: Line = ()
    if hidden:
        nodes = sum(c.node_count for c in hidden)
        rest = line(dim(f"… {plural(len(hidden), 'more op type')} ({plural(nodes, 'node')}) {MORE_HINT}"))
    columns = (Column("Op type"), Column("Nodes", align="right"), Column("Functions", align="right"))
    return Table(columns, rows, rest, empty="No ops.", full="op-types")


def _assets(report: Report) -> list[Block]:
    """The files under assets/ and assets.extra/: what a loader feeds the graph, and what reads each."""
    if not report.assets:
        return [note_paragraph("No assets.")]
    rows = []
    for asset in report.assets[:MAX_ITEMS]:
        digest = cell(name(asset.sha256[:16])) if asset.sha256 else cell(Span(asset.problem, Tone.WARN))
        readers = cell(name(listing(asset.readers))) if asset.readers else cell(dim("—"))
        rows.append((cell(name(asset.path)), cell(f"{asset.size:,}"), digest, readers))
    columns = (Column("File"), Column("Bytes"), Column("sha256"), Column("Read by"))
    return [Table(columns, tuple(rows), rest_line(len(report.assets), "more asset"))]


def _xla_modules(report: Report) -> Table:
    """jax2tf / orbax computations: where each runs, and with which TensorFlow (its serialization version)."""
    rows = []
    for module in report.xla_modules[:MAX_ITEMS]:
        calls = (
            cell(dim("not read (install jaxlib)"))
            if module.custom_calls is None
            else cell(name(listing(module.custom_calls)))
            if module.custom_calls
            else cell(dim("none"))
        )
        rows.append(
            (
                cell(name(module.node_key)),
                cell(str(module.version)),
                cell(name(listing(module.platforms))),
                cell(f"{module.module_bytes:,}"),
                calls,
                cell(name(listing(module.function_list))) if module.function_list else cell(dim("—")),
            )
        )
    columns = (
        Column("Op"),
        Column("Version"),
        Column("Platforms"),
        Column("Bytes"),
        Column("Custom calls"),
        Column("Calls back"),
    )
    return Table(columns, tuple(rows), rest_line(len(report.xla_modules), "more module"))


def _variables(report: Report) -> list[Block]:
    if not report.variables:
        return [note_paragraph("No variables.")]
    rows = []
    for variable in report.variables[:MAX_ITEMS]:
        shape = "<unknown>" if variable.shape is None else str(list(variable.shape))
        path = [name(variable.object_path)]
        if not variable.trainable:
            path.append(dim("  (not trainable)"))
        rows.append(
            (
                cell(*path),
                cell(name(variable.name)),
                cell(variable.dtype),
                cell(shape),
                cell(name(variable.device)) if variable.device else cell(dim("—")),
            )
        )
    columns = (Column("Object path"), Column("Name"), Column("dtype"), Column("Shape"), Column("Device"))
    blocks: list[Block] = [Table(columns, tuple(rows), rest_line(len(report.variables), "more variable"))]
    if report.distinct_variables < len(report.variables):
        blocks.append(
            note_paragraph(
                f"{len(report.variables)} variable objects hold {report.distinct_variables} distinct weights "
                "(by name, dtype and shape): the object graph tracks some weights under several objects, "
                "as Keras 3 exports do (`variables` and `_all_variables`)."
            )
        )
    if report.variables[0].origin == "graph":
        blocks.append(
            note_paragraph("TF1 model: variables are the graph's variable nodes (no object graph).")
        )
    return blocks


def _call_trees(report: Report) -> list[Block]:
    if not report.call_trees:
        return [note_paragraph("No signature calls a library function.")]
    blocks: list[Block] = []
    for call_tree in report.call_trees[:MAX_ITEMS]:
        tree = Tree(line(dim("signature "), name(call_tree.signature, Tone.ACCENT)))
        # Depth first without recursion; children pushed last-first, so each parent gets them in order.
        stack: list[tuple[Tree, CallTreeNode]] = [(tree, root) for root in reversed(call_tree.roots)]
        while stack:
            parent, node = stack.pop()
            branch = parent.add(_call_label(node))
            stack.extend((branch, child) for child in reversed(node.children))
        blocks.append(tree)
    if len(report.call_trees) > MAX_ITEMS:
        blocks.append(Paragraph(more(len(report.call_trees) - MAX_ITEMS, "more signature")))
    return blocks


def _call_label(node: CallTreeNode) -> Line:
    label = [name(node.function)]
    if node.alias:
        label += [dim("  alias "), name(node.alias, Tone.ACCENT)]
    if not node.in_library:
        label.append(Span("  missing from the library", Tone.BAD))
    if node.expanded_above:
        label.append(dim("  (shown above)"))
    if node.depth_limited:
        label.append(dim("  (calls more: deeper calls not shown)"))
    return tuple(label)


def _flagged(report: Report) -> tuple[Block, ...]:
    entries = []
    for op in report.flagged_ops:
        head = line(name(op.op_type, Tone.BAD), "  ", name(op.node_key))
        details = [dim("in "), name(function_label(op.function))]
        if op.aliases:
            details += [dim("  alias "), name(listing(op.aliases))]
        if op.signatures:
            details += [dim("  reached by "), name(listing(op.signatures))]
        entries.append(Entry(head, (tuple(details), user_trace(op.trace))))
    return (Entries(tuple(entries)),)
