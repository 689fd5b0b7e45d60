"""Each command's page, in the page model: what the terminal, Markdown and HTML all say.

`page_of(result)` is the one place a result becomes words and layout; the writers (`text.py`,
`markdown.py`, `html.py`) only draw it. Every page starts with the verdict's headline and ends with a
summary line and what the exit status means; `--quiet` keeps the findings alone. Lists stop at
`MAX_ITEMS` and count the rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from inspector._internal.render.page import (
    MAX_ITEMS,
    MORE_HINT,
    Block,
    Cell,
    Code,
    Column,
    Entries,
    Entry,
    KeyValues,
    Line,
    Page,
    Paragraph,
    Section,
    Source,
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
from inspector._internal.render.words import contents, exit_meaning, function_label, headline, listing, plural
from inspector._internal.view import DebugInfoStatus, Folded, Frame, Signature, TensorSpec, Trace
from inspector.results.common import Result, Verdict, narrow
from inspector.results.report import FingerprintStatus, Recorded, Report

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector.results.audit import AuditResult, Finding
    from inspector.results.common import Coverage
    from inspector.results.diff import Change, DiffResult
    from inspector.results.doctor import Diagnosis, LoadAttempt, Problem
    from inspector.results.report import CallTreeNode, DebugInfoSummary, Overview
    from inspector.results.scrub import ScrubResult
    from inspector.results.symbolicate import Resolution, SymbolicateResult
    from inspector.results.traces import OpRef, Sources, TraceGroup, TraceResult, WhereResult

#: What a command's page is made of besides the verdict: its title, body, findings alone (--quiet), summary.
_Parts = tuple[Line, list[Block], Iterable[Block], Line]


def page_of(result: Result, *, stat: bool = False, verbose: bool = False) -> Page:
    """`result` as a page. `stat` (diff) and `verbose` (doctor) choose what the page shows."""
    title, body, quiet, summary = _parts(result, stat, verbose)
    return Page(
        title=title,
        headline=headline(result),
        ok=result.verdict.ok,
        body=tuple(body),
        summary=summary,
        exit_meaning=exit_meaning(result),
        quiet=quiet,
        ops=result.op_index if isinstance(result, Report) else None,
        about=_about(result),
    )


def _about(result: Result) -> Line:
    """The TensorFlow that wrote the model, its size and tags; a diff's old → new where they differ."""
    old = getattr(result, "old_model", None)
    new = result.model
    pairs = [
        (m.tensorflow_version, m.function_count, m.node_count, " | ".join(m.meta_graphs) or ",".join(m.tags))
        for m in (old, new)
        if m
    ]
    if not any(version or nodes for version, _, nodes, _ in pairs):
        return ()  # the model could not be read (doctor on a broken file)

    def said(values: list[str]) -> str:
        return values[0] if len(set(values)) == 1 else " → ".join(values)

    def counted(counts: list[int], noun: str) -> str:
        if len(set(counts)) == 1:
            return plural(counts[0], noun)
        return " → ".join(f"{count:,}" for count in counts) + f" {noun}s"

    versions = said([version or "unknown" for version, *_ in pairs])
    size = f" · {counted([p[1] for p in pairs], 'function')} · {counted([p[2] for p in pairs], 'node')}"
    tags = said([t or "no tags" for *_, t in pairs])
    which = " · meta graphs " if new.meta_graphs else " · tags "
    return line(dim("written by TensorFlow "), name(versions), dim(size + which), name(tags))


def _note(text: str, tone: Tone = Tone.DIM) -> Paragraph:
    return Paragraph(line(Span(text, tone)))


def _titled(command: str, path: object) -> Line:
    return line(f"{command}: ", name(str(path)))


# --- report ---------------------------------------------------------------------------------------------


def _report_page(report: Report) -> _Parts:
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
    sections: list[Block] = [_section("Overview", _overview(report.overview))]
    if report.warnings:
        warnings = tuple(Paragraph(line(Span("! ", Tone.WARN), w)) for w in report.warnings)
        sections.append(Section(line("Warnings"), warnings, Tone.WARN))
    sections += [
        _section("Signatures", _signatures(report.signatures)),
        _section("Functions", _functions(report)),
        _section("Aliases", _aliases(report)),
        _section("Save options", _save_options(report)),
        _section("Namespaces", *_namespaces(report)),
        _section("Op types", _op_types(report)),
        _section("Variables", *_variables(report)),
        _section("Assets", *_assets(report)),
        *([_section("XLA modules", _xla_modules(report))] if report.xla_modules else []),
        _section("Function call tree", *_call_trees(report)),
        *flagged,
        _section("Integrity", *_integrity(report)),
    ]
    return _titled("SavedModel report", report.overview.path), sections, flagged, summary


def _section(title: str, *blocks: Block) -> Section:
    return Section(line(title), blocks)


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
        return _note("No signatures.")
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
        _rest(len(signatures), "more signature"),
    )


def _rest(total: int, noun: str) -> Line:
    return more(total - MAX_ITEMS, noun) if total > MAX_ITEMS else ()


def _count_rest(tree: Tree, total: int, noun: str) -> None:
    """The last branch of a tree cut at MAX_ITEMS items."""
    if total > MAX_ITEMS:
        tree.add(more(total - MAX_ITEMS, noun))


def _functions(report: Report) -> Block:
    """Every tf.function of the object graph and each of its concrete functions' input signature."""
    if not report.functions:
        return _note("No tf.function in the saved object graph (a TF1 model has none).")
    tree = Tree(line(dim("object path → concrete functions (input signature)")))
    for function in report.functions[:MAX_ITEMS]:
        count = len(function.concrete_functions)
        branch = tree.add(
            line(name(function.object_path, Tone.ACCENT), dim(f"  ({plural(count, 'concrete function')})"))
        )
        for concrete in function.concrete_functions[:MAX_ITEMS]:
            label = [name(concrete.function, Tone.STRONG)]
            if concrete.alias:
                label += [dim("  alias "), name(concrete.alias, Tone.ACCENT)]
            leaf = branch.add(tuple(label))
            signature = concrete.input_signature
            leaf.add(
                line(name(signature, Tone.GOOD)) if signature else line(dim("input signature not recorded"))
            )
            if concrete.signatures:
                leaf.add(line(dim("reached by signatures: "), name(listing(concrete.signatures))))
        _count_rest(branch, count, "more concrete function")
    _count_rest(tree, len(report.functions), "more function")
    return tree


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
            _note(
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
        blocks.append(_note("stripped_op_list lists every op type the functions use."))
    check = report.fingerprint_check
    if check is None:
        blocks.append(_note("fingerprint not verified against the files (--verify-fingerprint)"))
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
        return _note("No function aliases (save with function_aliases={...}, or `inspector save --alias`).")
    root = Tree(line(dim("alias → concrete functions")))
    for alias in report.aliases[:MAX_ITEMS]:
        count = len(alias.targets)
        branch = root.add(
            line(name(alias.name, Tone.ACCENT), dim(f"  ({plural(count, 'concrete function')})"))
        )
        for target in alias.targets[:MAX_ITEMS]:
            label = [name(target.function, Tone.STRONG if target.in_library else Tone.PLAIN)]
            if target.input_signature:
                label += [Span(" "), name(target.input_signature, Tone.GOOD)]
            if not target.in_library:
                label.append(Span("  not in the function library", Tone.WARN))
            leaf = branch.add(tuple(label))
            if target.signatures:
                leaf.add(line(dim("reached by signatures: "), name(listing(target.signatures))))
            if target.object_paths:
                leaf.add(line(dim("object paths: "), name(listing(target.object_paths))))
        _count_rest(branch, count, "more concrete function")
    _count_rest(root, len(report.aliases), "more alias")
    return root


_WHITELIST_STATUS = {
    None: Span("unchecked", Tone.DIM),
    True: Span("✓ allowed", Tone.GOOD),
    False: Span("✗ not whitelisted", Tone.BAD),
}


def _namespaces(report: Report) -> list[Block]:
    blocks: list[Block] = []
    if report.whitelist is None:
        blocks.append(
            _note(
                "No whitelist given: namespaced ops are not checked (TensorFlow's default). "
                "Use --whitelist NS to check them."
            )
        )
    else:
        shown = listing(report.whitelist) if report.whitelist else "(empty: no namespace allowed)"
        blocks.append(Paragraph(line(dim("Whitelist: "), name(shown))))
    if not report.namespaces:
        blocks.append(_note("No namespaced (Namespace>Op) op types."))
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
    blocks.append(Table(columns, tuple(rows[:MAX_ITEMS]), _rest(len(rows), "more op type")))
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
        return [_note("No assets.")]
    rows = []
    for asset in report.assets[:MAX_ITEMS]:
        digest = cell(name(asset.sha256[:16])) if asset.sha256 else cell(Span(asset.problem, Tone.WARN))
        readers = cell(name(listing(asset.readers))) if asset.readers else cell(dim("—"))
        rows.append((cell(name(asset.path)), cell(f"{asset.size:,}"), digest, readers))
    columns = (Column("File"), Column("Bytes"), Column("sha256"), Column("Read by"))
    return [Table(columns, tuple(rows), _rest(len(report.assets), "more asset"))]


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
    return Table(columns, tuple(rows), _rest(len(report.xla_modules), "more module"))


def _variables(report: Report) -> list[Block]:
    if not report.variables:
        return [_note("No variables.")]
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
    blocks: list[Block] = [Table(columns, tuple(rows), _rest(len(report.variables), "more variable"))]
    if report.distinct_variables < len(report.variables):
        blocks.append(
            _note(
                f"{len(report.variables)} variable objects hold {report.distinct_variables} distinct weights "
                "(by name, dtype and shape): the object graph tracks some weights under several objects, "
                "as Keras 3 exports do (`variables` and `_all_variables`)."
            )
        )
    if report.variables[0].origin == "graph":
        blocks.append(_note("TF1 model: variables are the graph's variable nodes (no object graph)."))
    return blocks


def _call_trees(report: Report) -> list[Block]:
    if not report.call_trees:
        return [_note("No signature calls a library function.")]
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
        entries.append(Entry(head, (tuple(details), _user_trace(op.trace))))
    return (Entries(tuple(entries)),)


def _user_trace(trace: Trace | None) -> Block:
    """A creation stack, outermost first, user frames only; framework frames folded into counts."""
    if trace is None:
        return Code((line(dim("(no creation trace recorded)")),))
    site = trace.creation_site
    return Code(
        tuple(
            _folded(item) if isinstance(item, Folded) else _frame_line(item, is_site=item is site)
            for item in trace.user_view()
        )
    )


def _folded(item: Folded) -> Line:
    return line(dim("  … "), Span(item.text, Tone.DIM, name=True))


def _frame_line(frame: Frame, is_site: bool) -> Line:
    where = [
        Span("→ " if is_site else "  ", Tone.BAD),
        name(f"{frame.file}:{frame.line}", Tone.STRONG if is_site else Tone.PLAIN),
        dim(" in "),
        name(frame.function or "?", Tone.ACCENT),
    ]
    return tuple(where)


def _code_line(frame: Frame) -> Line | None:
    return line(dim("      "), Span(frame.code.strip(), Tone.DIM, name=True)) if frame.code else None


def _stack(frames: Iterable[Frame | Folded], site: Frame | None, shared: int = 0) -> Code:
    """A creation stack's lines; `shared` outer frames, said once above, are one folded line."""
    lines: list[Line] = (
        [line(dim(f"  … {plural(shared, 'outer frame')} shared by every stack (above)"))] if shared else []
    )
    for item in frames:
        if isinstance(item, Folded):
            lines.append(_folded(item))
            continue
        lines.append(_frame_line(item, is_site=item is site))
        code = _code_line(item)
        if code:
            lines.append(code)
    return Code(tuple(lines))


# --- trace and where ------------------------------------------------------------------------------------


def _op_line(op: OpRef) -> Line:
    parts = [name(op.op_type, Tone.STRONG), Span("  "), name(op.node_key)]
    if op.aliases:
        parts += [dim("  alias "), name(listing(op.aliases), Tone.ACCENT)]
    return tuple(parts)


def _trace_page(result: TraceResult) -> _Parts:
    quiet: Iterable[Block]  # made only if --quiet asks for them: 200k lines on a large model
    if result.selector.is_empty:
        quiet = (
            Paragraph(line(name(f"{site.file}:{site.line}"), dim(f"  {plural(site.op_count, 'op')}")))
            for site in result.sites
        )
    else:
        every = itertools.chain((op for group in result.groups for op in group.ops), result.untraced)
        quiet = (Paragraph(_op_line(op)) for op in every)
    return _titled("Op traces", result.model.path), _trace_sections(result), quiet, _coverage(result.coverage)


def _trace_sections(result: TraceResult) -> list[Block]:
    if result.selector.is_empty:
        return [_section(f"Ops by creating source line ({len(result.sites)} lines)", _sites(result))]
    parts: list[Block] = []
    if not result.selected_ops:
        parts.append(_note("No op matches the selection.", Tone.WARN))
    for index, group in enumerate(result.groups, start=1):
        title = f"Trace {index} of {len(result.groups)} · {plural(len(group.ops), 'op')}"
        parts.append(Section(line(title), tuple(_trace_group(group, result))))
    if result.untraced:
        ops = tuple(Paragraph(_op_line(op)) for op in result.untraced)
        parts.append(Section(line(f"Selected ops without a trace ({len(result.untraced)})"), ops, Tone.WARN))
    if result.sources.missing_files:
        missing = line(
            dim("Source not found here for: "),
            name(listing(result.sources.missing_files)),
            dim(" (map paths with --source-root OLD=NEW)"),
        )
        parts.append(Paragraph(missing))
    if result.sources.withheld_files:
        parts.append(_withheld(result.sources))
    return parts


def _withheld(sources: Sources) -> Paragraph:
    """Files a model names that were not read: said once, with where source is read from."""
    return Paragraph(
        line(
            dim("Source not read for files outside "),
            name(listing(sources.read_from) or "the working directory"),
            dim(" or not .py (a model's recorded paths are never read elsewhere; add --source-root): "),
            name(listing(sources.withheld_files)),
        )
    )


#: Ops a trace group lists before counting the rest.
GROUP_OPS = 20


def _trace_group(group: TraceGroup, result: TraceResult) -> Iterator[Block]:
    if group.label:
        yield Paragraph(line(dim("in "), name(group.label, Tone.EMPHASIS)))
    yield Entries(tuple(Entry(_op_line(op)) for op in group.ops[:GROUP_OPS]))
    if len(group.ops) > GROUP_OPS:
        yield _note(f"… and {len(group.ops) - GROUP_OPS} more ops")
    yield _note("Created by (outermost call first):")
    site = group.trace.creation_site
    items: tuple[Frame | Folded, ...] = group.trace.frames if result.all_frames else group.trace.user_view()
    lines: list[Line] = []
    for item in items:
        if isinstance(item, Folded):
            lines.append(_folded(item))
            continue
        lines.append(_frame_line(item, is_site=item is site) if item.is_user else _framework_frame(item))
        context = result.sources.context_for(item)
        if context is not None and (item.is_user or result.all_frames):
            yield Code(tuple(lines))
            lines = []
            yield Source(context.first_line, context.lines, context.line)
        elif item.is_user and (code := _code_line(item)):  # the line the stack recorded, when no file is read
            lines.append(code)
    if site is None:
        lines.append(line(dim("  (no user frame: every frame is a library's or Python's)")))
    if lines:
        yield Code(tuple(lines))


def _framework_frame(frame: Frame) -> Line:
    return line(
        dim("  "),
        Span(f"{frame.file}:{frame.line}", Tone.DIM, name=True),
        dim(" in "),
        Span(frame.function or "?", Tone.DIM, name=True),
    )


def _sites(result: TraceResult) -> Block:
    rows = []
    for site in result.sites:
        types = ", ".join(f"{op}×{count}" if count > 1 else op for op, count in site.op_types[:6])
        if len(site.op_types) > 6:
            types += f", … {len(site.op_types) - 6} more"
        rows.append(
            (
                cell(name(f"{site.file}:{site.line}")),
                cell(name(site.function or "?")),
                cell(str(site.op_count)),
                cell(name(types)),
            )
        )
    columns = (
        Column("Source line"),
        Column("In", Tone.ACCENT),
        Column("Ops", align="right"),
        Column("Op types"),
    )
    empty = "No traced ops (the model has no usable debug info)."
    return Table(columns, tuple(rows), empty=empty)


def _coverage(coverage: Coverage) -> Line:
    if coverage.debug_info is not DebugInfoStatus.PRESENT:
        return line(Span(f"Debug info {coverage.debug_info.value}: no op has a creation trace.", Tone.WARN))
    parts = [
        Span("Coverage: ", Tone.STRONG),
        Span(f"{coverage.traced_nodes}/{coverage.function_nodes} function nodes traced"),
    ]
    if coverage.untraced_nodes:
        parts.append(
            Span(f"; {coverage.untraced_nodes} without a trace (nodes TensorFlow added itself)", Tone.WARN)
        )
    if coverage.stale_keys:
        parts.append(
            Span(
                f"; {len(coverage.stale_keys)} debug-info keys name functions absent from the model "
                "(stale debug info from another save?)",
                Tone.WARN,
            )
        )
    return tuple(parts)


def _where_page(result: WhereResult) -> _Parts:
    # Made only if --quiet asks for them: a line matching every op of a large model lists 200k.
    quiet = (Paragraph(_op_line(op)) for group in result.groups for hit in group.hits for op in hit.ops)
    summary = line(f"{plural(result.op_count, 'op')} in {plural(len(result.groups), 'function')}. ")
    query = result.query
    wanted = f"{query.file}:{query.line}" if query.line is not None else f"{query.file} (any line)"
    title = line("Ops created by ", name(wanted))
    return title, _where_sections(result, wanted), quiet, summary + _coverage(result.coverage)


def _where_sections(result: WhereResult, wanted: str) -> list[Block]:
    head = [dim("where "), name(wanted, Tone.STRONG)]
    if result.query.innermost:
        head.append(dim("  innermost user frame only"))
    parts: list[Block] = [Paragraph(tuple(head))]
    if result.files:
        parts.append(Paragraph(line(dim("matched recorded files: "), name(listing(result.files)))))
    if not result.groups:
        parts.append(_note("No op was created by that source.", Tone.WARN))
        if result.nearby:
            parts.append(_note("Nearest recorded lines of that file:"))
            nearby = (
                Entry(line(name(f"{n.file}:{n.line}"), dim(f"  {plural(n.op_count, 'op')}")))
                for n in result.nearby
            )
            parts.append(Entries(tuple(nearby)))
    for group in result.groups:
        body: list[Block] = []
        reach: list[Span] = []
        if group.aliases:
            reach += [dim("alias "), name(listing(group.aliases), Tone.ACCENT)]
        if group.signatures:
            reach += [dim("  reached by " if reach else "reached by "), name(listing(group.signatures))]
        if reach:
            body.append(Paragraph(tuple(reach)))
        pairs = [(hit, op) for hit in group.hits for op in hit.ops]
        rows = tuple(
            (
                cell(name(op.op_type)),
                cell(name(op.node_name)),
                cell(", ".join(map(str, hit.lines))),
                cell(name(f"{hit.site.file}:{hit.site.line}")) if hit.site else cell(dim("—")),
            )
            for hit, op in pairs[:MAX_ITEMS]
        )
        columns = (Column("Op type"), Column("Node"), Column("Lines on its stack"), Column("Created at"))
        body.append(Table(columns, rows, _rest(len(pairs), "more op")))
        parts.append(Section(line("function ", name(function_label(group.function))), tuple(body)))
    return parts


# --- audit ----------------------------------------------------------------------------------------------

_SEVERITY_TONE = {"critical": Tone.SEVERE, "error": Tone.BAD, "warning": Tone.WARN, "note": Tone.ACCENT}


def _audit_page(result: AuditResult) -> _Parts:
    parts: list[Block] = []
    shared = _shared_outer_frames(result.findings)
    if shared:
        parts.append(_note("Every creation stack below starts with these frames (outermost first):"))
        parts.append(_stack(shared, None))
    if result.groups:
        parts[:0] = [_at_a_glance(result), _findings_table(result)]
    for group in result.groups:
        title = f"{group.rule.id} {group.rule.name} · {plural(len(group.findings), 'finding')}"
        tone = Tone.BAD if group.worst >= result.fail_on else Tone.WARN
        entries = tuple(_finding(f, len(shared)) for f in group.findings)
        # Notes alone inform and fail nothing: where the page folds, they read by their title.
        parts.append(Section(line(title), (Entries(entries),), tone, folded=group.worst.label == "note"))
    notices: list[Block] = [Paragraph(_notice_line(n.rule_id, n.message, n.is_error)) for n in result.notices]
    if result.groups:
        notices.append(_rules_explained(result))
    quiet: list[Block] = [Paragraph(_finding_line(f)) for f in result.findings]
    quiet += [Paragraph(_notice_line(n.rule_id, n.message, n.is_error)) for n in result.notices if n.is_error]
    return _titled("SavedModel audit", result.model.path), parts + notices, quiet, _audit_summary(result)


def _at_a_glance(result: AuditResult) -> Section:
    """The findings counted by severity, then a row per rule (worst first): what the details below hold."""
    counts: list[Span] = []
    for counted in result.counts:
        if counts:
            counts.append(dim(" · "))
        counts.append(
            Span(plural(counted.findings, counted.severity.label), _SEVERITY_TONE[counted.severity.label])
        )
    rows = tuple(
        (
            (line(_severity(group.worst.label)),),
            (line(_rule_link(group.rule.id)),),
            (line(group.rule.name),),
            (line(str(len(group.findings))),),
            (line(group.rule.summary),),
        )
        for group in result.groups
    )
    columns = (
        Column("Worst", no_wrap=True),
        Column("Rule", no_wrap=True),
        Column("Name", no_wrap=True),
        Column("Findings", align="right"),
        Column("What it finds"),
    )
    explained = line(dim("inspector rule ID explains a rule: what it finds, why it matters, the fix"))
    return Section(
        line("At a glance"), (Paragraph(tuple(counts)), Table(columns, rows), Paragraph(explained))
    )


#: The rows the HTML findings table lists before counting the rest: enough for any release gate's page,
#: bounded for a model with tens of thousands of findings (the sections and --format json have them all).
FINDINGS_TABLE_ROWS = 1000


def _rule_link(rule_id: str) -> Span:
    """A rule's id, leading to its documentation on the page (HTML)."""
    return Span(rule_id, anchor=f"rule-{rule_id}")


def _findings_table(result: AuditResult) -> Section:
    """Every finding as a row, filtered by severity, rule and when it runs: the HTML page's index of the
    details (which the terminal and Markdown pages list by rule)."""
    shown = result.findings[:FINDINGS_TABLE_ROWS]
    rows = tuple(
        (
            (line(_severity(f.severity.label)),),
            (line(_rule_link(f.rule_id)),),
            (line(name(f.location.node_key or f.location.file or function_label(f.location.function))),),
            (line(f.location.reach.value if f.location.reach is not None else "—"),),
            (line(f.message),),
        )
        for f in shown
    )
    columns = (
        Column("Severity", no_wrap=True),
        Column("Rule", no_wrap=True),
        Column("Where"),
        Column("Runs", no_wrap=True),
        Column("Finding"),
    )
    hidden = len(result.findings) - len(shown)
    rest = line(
        dim(f"… {plural(hidden, 'more finding')}: the sections below and --format json have them all")
    )
    table = Table(columns, rows, rest=rest if hidden else (), filters=(0, 1, 3))
    return Section(line("Findings"), (table,), html_only=True)


def _rules_explained(result: AuditResult) -> Section:
    """What `inspector rule ID` prints, for each rule with findings: one click from its id."""
    explained = []
    for group in result.groups:
        rule = group.rule
        paragraphs = [p for p in rule.documentation.strip().split("\n\n") if p.strip()]
        blocks: list[Block] = [
            Paragraph(line(Span(rule.summary, Tone.STRONG))),
            Paragraph(line(dim("Default severity: "), rule.default_severity.label)),
            *(Paragraph(line(" ".join(p.split()))) for p in paragraphs),
        ]
        explained.append(Section(line(f"{rule.id} {rule.name}"), tuple(blocks), anchor=f"rule-{rule.id}"))
    return Section(line("The rules, explained"), tuple(explained), folded=True, html_only=True)


def _notice_line(rule_id: str, message: str, is_error: bool) -> Line:
    tone = Tone.BAD if is_error else Tone.DIM
    return line(Span(f"{rule_id}: ", tone), Span(message, tone))


def _severity(label: str) -> Span:
    return Span(label.upper(), _SEVERITY_TONE[label])


def _finding_line(finding: Finding) -> Line:
    """One line per finding (--quiet): severity, rule, what, and where."""
    parts = [_severity(finding.severity.label), Span(f" {finding.rule_id} "), Span(finding.message)]
    where = finding.location
    if where.node_key or where.file:
        parts += [Span("  "), Span(where.node_key or where.file, Tone.DIM, name=True)]
    return tuple(parts)


def _finding(finding: Finding, common: int = 0) -> Entry:
    """A finding; its stack without the `common` outer frames every stack of the page shares."""
    head = line(finding.message)
    where = finding.location
    details: list[Line | Block] = []
    located: list[Span] = []
    if where.node_key:
        located.append(name(where.node_key, Tone.STRONG))
    if where.function or where.node_key:
        located += [dim(" in " if located else "in "), name(function_label(where.function))]
    if where.file and not where.node_key:
        located += [dim("  " if located else ""), name(where.file)]
    if located:
        details.append(tuple(span for span in located if span.text))
    if where.reach is not None:
        reach = [dim("runs: "), Span(where.reach.value)]
        if where.reached_by:
            reach += [dim(" via "), name(listing(where.reached_by))]
        details.append(tuple(reach))
    if where.nesting:
        details.append(line(dim("inside the serialized graph of "), name(" → ".join(where.nesting))))
    if where.tags:
        details.append(line(dim("in the meta graph "), name(",".join(where.tags))))
    if where.stack:
        details.append(_stack(where.stack[common:], where.stack[-1], shared=common))
    details.append(line(dim("fix: "), finding.fix))
    return Entry(head, tuple(details), label=line(_severity(finding.severity.label)))


def _shared_outer_frames(findings: Iterable[Finding]) -> tuple[Frame, ...]:
    """The outer frames every finding's stack starts with (a build script's), when two or more findings
    have stacks: said once, not once per finding. Each stack keeps at least its creation site."""
    stacks = [f.location.stack for f in findings if f.location.stack]
    if len(stacks) < 2:
        return ()
    shared = 0
    shortest = min(len(stack) for stack in stacks)
    while shared < shortest - 1 and all(stack[shared] == stacks[0][shared] for stack in stacks):
        shared += 1
    return stacks[0][:shared]


def _audit_summary(result: AuditResult) -> Line:
    counts = ", ".join(plural(c.findings, c.severity.label) for c in result.counts)
    parts = [Span(plural(len(result.findings), "finding") + (f" ({counts})" if counts else ""), Tone.STRONG)]
    if result.baselined:
        parts.append(dim(f"; {result.baselined} accepted by the baseline"))
    words = {
        Verdict.INCOMPLETE: f" — INCOMPLETE: {plural(len(result.failed_rules), 'rule')} failed",
        Verdict.FAILED: f" — FAILED (--fail-on {result.fail_on.label})",
        Verdict.PASSED: f" — passed (--fail-on {result.fail_on.label})",
        Verdict.RECORDED: " — recorded in the baseline",
    }
    parts.append(Span(words[result.verdict], Tone.GOOD if result.verdict.ok else Tone.BAD))
    return tuple(parts)


# --- diff -----------------------------------------------------------------------------------------------

#: By ChangeKind's value: the diff's types are imported by its page only.
_CHANGE_MARK = {"added": ("+", Tone.GOOD), "removed": ("-", Tone.BAD), "changed": ("~", Tone.WARN)}


def _diff_page(result: DiffResult, stat: bool) -> _Parts:
    from inspector.results.diff import ChangeKind  # the diff's types, imported by its page only

    title = line("SavedModel diff: ", name(str(result.old_model.path)), " → ", name(str(result.model.path)))
    head = line(
        dim("diff "),
        name(str(result.old_model.path), Tone.BAD),
        dim(" → "),
        name(str(result.model.path), Tone.GOOD),
    )
    rows: list[tuple[str, Line]] = []
    for count in result.counts:
        if not count.total:
            rows.append((count.category.value, line(dim("no change"))))
            continue
        spans = []
        for kind, n in (
            (ChangeKind.ADDED, count.added),
            (ChangeKind.REMOVED, count.removed),
            (ChangeKind.CHANGED, count.changed),
        ):
            if n:
                mark, tone = _CHANGE_MARK[kind.value]
                spans.append(Span(f"{mark}{n} {kind.value}  ", tone))
        rows.append((count.category.value, tuple(spans)))
    sections: list[Block] = [Paragraph(head), KeyValues(tuple(rows))]
    cosmetic = set(map(id, result.cosmetic))
    if not stat:
        for category in result.categories:
            changes = [c for c in result.changes_in(category) if id(c) not in cosmetic]
            if changes:
                entries = Entries(tuple(Entry(_change_line(c)) for c in changes))
                sections.append(Section(line(category.value), (entries,)))
        if result.cosmetic:
            # After the real changes, and apart: they change nothing the model does (--strict-names counts them).
            entries = Entries(tuple(Entry(_change_line(c)) for c in result.cosmetic))
            title_line = line(f"cosmetic renames ({len(result.cosmetic)}): counters only, not counted")
            sections.append(Section(title_line, (entries,), Tone.DIM))
    quiet = (Paragraph(_change_line(c)) for c in result.material)
    verdict = "identical" if result.identical else plural(len(result.material), "change")
    if result.cosmetic:
        verdict += f" ({plural(len(result.cosmetic), 'cosmetic rename')})"
    return title, sections, quiet, line(Span(verdict, Tone.GOOD if result.identical else Tone.BAD))


def _change_line(change: Change) -> Line:
    from inspector._internal.render.changes import change_detail, change_subject, value_text
    from inspector.results.diff import ChangeKind

    mark, tone = _CHANGE_MARK[change.kind.value]
    parts = [Span(f"{mark} ", tone), name(change_subject(change), Tone.STRONG)]
    old, new = value_text(change.old), value_text(change.new)
    if change.kind is ChangeKind.CHANGED and (old or new):
        parts += [Span(": "), name(old or "(none)", Tone.BAD), Span(" → "), name(new or "(none)", Tone.GOOD)]
    elif new or old:
        parts += [Span(": "), name(new or old, tone)]
    detail = change_detail(change)
    if detail:
        parts += [dim("  ("), Span(detail, Tone.DIM), dim(")")]
    return tuple(parts)


# --- doctor ---------------------------------------------------------------------------------------------


def _diagnosis_page(result: Diagnosis, verbose: bool) -> _Parts:
    quiet: list[Block] = [Entries(tuple(_problem(p) for p in result.blockers))] if result.blockers else []
    if result.load is not None:
        quiet.insert(0, _load_block(result.load))
    title = _titled("SavedModel doctor", result.model.path)
    return title, _diagnosis_sections(result, verbose), quiet, _diagnosis_summary(result)


def _diagnosis_summary(result: Diagnosis) -> Line:
    load = result.load
    if load is not None and load.outcome.value == "refused":
        return line(Span("not loaded: its load would run risky ops on this machine", Tone.BAD))
    if result.blocked:
        said = "the model does not load" if load else "blockers found: the model will not load as it is"
        return line(Span(said, Tone.BAD))
    said = "the model loads" if load else "no blocker found statically (--try-load to load it)"
    return line(Span(said, Tone.GOOD))


def _diagnosis_sections(result: Diagnosis, verbose: bool) -> list[Block]:
    parts: list[Block] = [Paragraph(line(dim("doctor "), name(str(result.model.path), Tone.STRONG)))]
    load = result.load
    if load is not None:
        parts.append(_load_block(load))
    if result.blockers:
        blockers = Entries(tuple(_problem(p) for p in result.blockers))
        parts.append(Section(line(f"Blockers ({len(result.blockers)})"), (blockers,), Tone.BAD))
    if result.warnings:
        warnings = Entries(tuple(_problem(p) for p in result.warnings))
        parts.append(Section(line(f"Warnings ({len(result.warnings)})"), (warnings,), Tone.WARN))
    for notice in result.notices:
        parts.append(Paragraph(line(dim("note: "), dim(notice))))
    if verbose and load is not None and load.log.strip():
        log = Code(tuple(line(dim(row)) for row in load.log.rstrip().splitlines()))
        parts.append(Section(line("Log of the loading process"), (log,), Tone.DIM))
    return parts


_OUTCOME_TONE = {"loaded": Tone.GOOD}


def _load_block(load: LoadAttempt) -> Block:
    outcome = load.outcome.value
    head = [Span("load attempt: ", Tone.STRONG), Span(outcome, _OUTCOME_TONE.get(outcome, Tone.BAD))]
    if outcome == "timeout":
        head.append(Span(f" after {load.timeout:g} s (killed)"))
    elif outcome == "refused":
        head.append(Span(" (nothing was loaded or run)"))
    else:
        head.append(Span(f" in {load.seconds:.2f} s"))
    details: list[Line | Block] = []
    if load.op_libraries:
        details.append(line(dim("op libraries: "), name(listing(load.op_libraries))))
    if load.imports:
        details.append(line(dim("imports: "), name(listing(load.imports))))
    if load.python:
        details.append(line(dim("python: "), name(load.python)))
    first = load.error_message.strip().splitlines()[0] if load.error_message.strip() else ""
    if first:
        details.append(line(Span(f"{load.error_type}: {first}" if load.error_type else first, Tone.BAD)))
    return Entries((Entry(tuple(head), tuple(details)),))


def _problem(problem: Problem) -> Entry:
    details: list[Line | Block] = []
    if problem.file:
        details.append(line(dim("file: "), name(problem.file)))
    if problem.functions:
        details.append(line(dim("in: "), name(listing(function_label(f) for f in problem.functions))))
    if problem.signatures:
        details.append(line(dim("reached by signatures: "), name(listing(problem.signatures))))
    if problem.aliases:
        details.append(line(dim("aliases: "), name(listing(problem.aliases))))
    for site in problem.sources:
        details.append(
            line(
                dim("created at "),
                name(f"{site.file}:{site.line}", Tone.STRONG),
                dim(" in "),
                name(site.function or "?"),
            )
        )
    details.append(line(dim("fix: "), Span(problem.fix, Tone.GOOD)))
    if problem.rule_id:
        # The audit's words for the same problem: a reader of both pages sees one finding, not two.
        severity = f" {problem.severity.label}" if problem.severity is not None else ""
        details.append(
            line(
                dim("rule: "),
                Span(f"{problem.rule_id}{severity}"),
                dim(f"; inspector rule {problem.rule_id} explains it"),
            )
        )
    return Entry(line(Span(f"{problem.kind.value}: ", Tone.STRONG), problem.message), tuple(details))


# --- symbolicate ----------------------------------------------------------------------------------------

#: Matches a name's resolution lists before counting the rest.
MATCHES_SHOWN = 10


def _symbolicate_page(result: SymbolicateResult) -> _Parts:
    found = result.names - result.unresolved
    tone = Tone.GOOD if not result.unresolved else Tone.WARN
    summary = line(Span(f"{found} of {plural(result.names, 'name')} found in the model", tone))
    sections = _symbolicate_sections(result)
    return _titled("Symbolicated error", result.model.path), sections, sections, summary


def _symbolicate_sections(result: SymbolicateResult) -> list[Block]:
    if not result.lines:
        return [_note("The log names no node, function or op type.", Tone.WARN)]
    entries = []
    for log_line in result.lines:
        # A log's tabs are TensorFlow's indentation: spaces, so every writer lines them up alike.
        head = line(dim(f"{log_line.number:>4} │ "), name(log_line.text.expandtabs(4), Tone.STRONG))
        details: list[Line | Block] = []
        for resolution in log_line.resolutions:
            details += _resolution(resolution)
        entries.append(Entry(head, tuple(details)))
    return [Entries(tuple(entries))]


def _resolution(resolution: Resolution) -> list[Line | Block]:
    head = [dim(f"{resolution.kind} "), name(resolution.name, Tone.ACCENT)]
    if resolution.first_seen_line:
        return [(*head, dim(f"  (see line {resolution.first_seen_line})"))]
    tone = {"found": Tone.GOOD, "ambiguous": Tone.WARN, "not-found": Tone.BAD}[resolution.status.value]
    head.append(Span(f"  {resolution.status.value}", tone))
    if resolution.note:
        head += [dim(" ("), Span(resolution.note, Tone.DIM), dim(")")]
    matches: list[Entry] = []
    shown: set[int | None] = set()
    for match in resolution.matches[:MATCHES_SHOWN]:
        label = [name(match.op.op_type, Tone.STRONG), Span("  "), name(match.op.node_key)]
        if match.op.aliases:
            label += [dim("  alias "), name(listing(match.op.aliases))]
        key = match.trace.id if match.trace else None
        if key in shown:
            matches.append(Entry(tuple(label), (line(dim("(same creation stack as above)")),)))
            continue
        shown.add(key)
        matches.append(Entry(tuple(label), (_user_trace(match.trace),)))
    out: list[Line | Block] = [tuple(head)]
    if matches:
        out.append(Entries(tuple(matches)))
    if len(resolution.matches) > MATCHES_SHOWN:
        out.append(line(dim(f"… {len(resolution.matches) - MATCHES_SHOWN} more")))
    return out


# --- scrub ----------------------------------------------------------------------------------------------


def _scrub_page(result: ScrubResult) -> _Parts:
    written = line(
        dim("wrote "),
        name(str(result.output), Tone.STRONG),
        dim(" from "),
        name(str(result.model.path)),
        f": {plural(result.rewritten, 'recorded path')} rewritten, {result.kept} kept; verified by reading it back",
    )
    remaining: list[Block] = [
        Paragraph(line(Span("still contains ", Tone.BAD), name(repr(prefix)), dim(": "), name(file)))
        for file, prefix in result.remaining
    ]
    remaining += [
        Paragraph(
            line(
                dim("  in "),
                name(site.node_key),
                dim(" attr "),
                name(site.attr),
                dim(": "),
                name(repr(site.prefix)),
            )
        )
        for site in result.sites
    ]
    summary = line(Span(plural(len(result.remaining), "leak"), Tone.STRONG))
    return _titled("Scrubbed copy", result.output), [Paragraph(written), *remaining], remaining, summary


#: The commands with a page, in command order.
KINDS = ("report", "trace", "where", "audit", "diff", "doctor", "symbolicate", "scrub")


def _parts(result: Result, stat: bool, verbose: bool) -> _Parts:
    """Dispatched on the command (`kind`), each page typed by the result it draws; only that result's
    module is imported (`inspector.results` resolves each type on first use)."""
    from inspector import results

    kind = result.kind
    if kind == "report":
        return _report_page(narrow(result, results.Report))
    if kind == "trace":
        return _trace_page(narrow(result, results.TraceResult))
    if kind == "where":
        return _where_page(narrow(result, results.WhereResult))
    if kind == "audit":
        return _audit_page(narrow(result, results.AuditResult))
    if kind == "diff":
        return _diff_page(narrow(result, results.DiffResult), stat)
    if kind == "doctor":
        return _diagnosis_page(narrow(result, results.Diagnosis), verbose)
    if kind == "symbolicate":
        return _symbolicate_page(narrow(result, results.SymbolicateResult))
    if kind == "scrub":
        return _scrub_page(narrow(result, results.ScrubResult))
    raise TypeError(f"no page for {type(result).__name__}")
