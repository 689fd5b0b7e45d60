"""The terminal page: the verdict first, the sections, then a summary line and what the
exit status means. Every model string goes through `safe.literal`; identifiers are never broken
mid-name (a table too narrow for its names becomes a list, one row per block)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from inspector.render import RenderOptions
from inspector.render.fittable import FitTable, KeyValues
from inspector.render.safe import literal, literal_lines, log_line, visible
from inspector.render.terminal import Drawable, Group, Padding, Panel, Text, Tree, to_text
from inspector.render.words import (
    contents,
    exit_meaning,
    function_label,
    headline,
    listing,
    plural,
)
from inspector.results.common import Result, Verdict
from inspector.results.report import FingerprintStatus, Recorded

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector.results.audit import AuditResult, Finding
    from inspector.results.common import Coverage
    from inspector.results.diff import Change, DiffResult
    from inspector.results.doctor import Diagnosis, LoadAttempt, Problem
    from inspector.results.report import CallTreeNode, DebugInfoSummary, Overview, Report
    from inspector.results.scrub import ScrubResult
    from inspector.results.symbolicate import Resolution, SymbolicateResult
    from inspector.results.traces import OpRef, SourceContext, Sources, TraceGroup, TraceResult, WhereResult
from inspector.view import DebugInfoStatus, Folded, Frame, Signature, TensorSpec, Trace

#: How many rows the op-type and variable tables show before summarising the rest (JSON has them all).
TABLE_ROWS = 40


def render(result: Result, options: RenderOptions | None = None) -> str:
    return RENDERERS[result.kind](result, options or RenderOptions())


_VERDICT_STYLE = {True: "bold green", False: "bold red"}

#: What a command's page is made of: its body, its findings alone (--quiet), and its summary line.
_Page = tuple[list[Drawable], Iterable[Drawable], Drawable]


def _verdict_line(result: Result) -> Text:
    return literal(headline(result), style=_VERDICT_STYLE[result.verdict.ok])


def page(result: Result, options: RenderOptions) -> list[Drawable]:
    """What the terminal shows of any result: the verdict, then the body (or with --quiet only the
    findings), then the summary line and the meaning of the exit status."""
    parts: list[Drawable] = [_verdict_line(result)]
    body, findings, summary = _PAGES[result.kind](result, options)
    parts += findings if options.quiet else body
    if not options.quiet:
        parts.append(summary)
        parts.append(Text(exit_meaning(result), style="dim"))
    return parts


def _render_page(result: Result, options: RenderOptions) -> str:
    return to_text(page(result, options), options.width, options.color)


def _report_page(report: Report, _options: RenderOptions) -> _Page:
    flagged: list[Drawable] = (
        [_section(f"Ops outside the whitelist ({len(report.flagged_ops)})", _flagged(report), style="red")]
        if report.flagged_ops
        else []
    )
    counts = report.overview.counts
    summary = Text(
        f"{plural(counts.signatures, 'signature')} · {plural(counts.aliases, 'alias', 'aliases')} · "
        f"{plural(report.concrete_function_count, 'concrete function')} · "
        f"{plural(counts.functions, 'library function')} · {plural(counts.nodes, 'node')} · "
        f"{plural(counts.namespaces, 'namespace')}",
        style="bold",
    )
    return _report_sections(report), flagged, summary


def _report_sections(report: Report) -> list[Drawable]:
    sections: list[Drawable] = [_section("Overview", _overview(report.overview))]
    if report.warnings:
        sections.append(_section("Warnings", _warnings(report.warnings), style="yellow"))
    sections.append(_section("Signatures", _signatures(report.signatures)))
    sections.append(_section("Functions", _functions(report)))
    sections.append(_section("Aliases", _aliases(report)))
    sections.append(_section("Save options", _save_options(report)))
    sections.append(_section("Namespaces", _namespaces(report)))
    sections.append(_section("Op types", _op_types(report)))
    sections.append(_section("Variables", _variables(report)))
    sections.append(_section("Function call tree", _call_trees(report)))
    if report.flagged_ops:
        sections.append(
            _section(f"Ops outside the whitelist ({len(report.flagged_ops)})", _flagged(report), style="red")
        )
    sections.append(_section("Integrity", _integrity(report)))
    return sections


def _count_rest(tree: Tree, total: int, noun: str) -> None:
    """The last branch of a tree cut at TABLE_ROWS items."""
    if total > TABLE_ROWS:
        tree.add(Text(f"… {plural(total - TABLE_ROWS, noun)} (--format json lists them all)", style="dim"))


def _functions(report: Report) -> Drawable:
    """Every tf.function of the object graph and each of its concrete functions' input signature."""
    if not report.functions:
        return Text("No tf.function in the saved object graph (a TF1 model has none).", style="dim")
    tree = Tree(Text("object path → concrete functions (input signature)", style="dim"), guide_style="dim")
    for function in report.functions[:TABLE_ROWS]:
        count = len(function.concrete_functions)
        branch = tree.add(
            literal(function.object_path, style="bold cyan").append(
                f"  ({plural(count, 'concrete function')})", style="dim"
            )
        )
        for concrete in function.concrete_functions:
            label = literal(concrete.function, style="bold")
            if concrete.alias:
                label.append("  alias ", style="dim").append_text(literal(concrete.alias, style="cyan"))
            leaf = branch.add(label)
            signature = concrete.input_signature
            leaf.add(
                literal(signature, style="green")
                if signature
                else Text("input signature not recorded", style="dim")
            )
            if concrete.signatures:
                leaf.add(
                    Text("reached by signatures: ", style="dim").append_text(
                        literal(listing(concrete.signatures))
                    )
                )
    _count_rest(tree, len(report.functions), "more function")
    return tree


_RECORDED_STYLE = {Recorded.YES: "green", Recorded.NO: "dim", Recorded.NEVER: "yellow"}


def _save_options(report: Report) -> Drawable:
    table = FitTable()
    table.add_column("SaveOptions field", style="cyan")
    table.add_column("In the model")
    table.add_column("Evidence", style="dim")
    for option in report.save_options:
        value = Text(f"{option.recorded.value}: ", style=_RECORDED_STYLE[option.recorded])
        table.add_row(Text(option.option), value.append_text(literal(option.value)), literal(option.evidence))
    return table


def _integrity(report: Report) -> Drawable:
    parts: list[Drawable] = []
    if report.unlisted_ops:
        parts.append(
            Text(
                f"{plural(len(report.unlisted_ops), 'op type')} used but missing from stripped_op_list "
                "(TensorFlow's save-time walk, and its namespace whitelist check, missed them):",
                style="yellow",
            )
        )
        for op in report.unlisted_ops:
            line = Text("  ").append_text(literal(op.op_type, style="bold"))
            line.append(" in ", style="dim").append_text(literal(listing(op.functions)))
            parts.append(line)
            for site in op.sources:
                parts.append(
                    Text("    created at ", style="dim").append_text(literal(f"{site.file}:{site.line}"))
                )
    else:
        parts.append(Text("stripped_op_list lists every op type the functions use.", style="dim"))
    check = report.fingerprint_check
    if check is None:
        parts.append(Text("fingerprint not verified against the files (--verify-fingerprint)", style="dim"))
    elif check.status is FingerprintStatus.MATCH:
        matches = Text("fingerprint matches the model's files", style="green")
        if check.detail:
            matches.append("; ", style="green").append_text(literal(check.detail, style="yellow"))
        parts.append(matches)
    else:
        style = "red" if check.status is FingerprintStatus.MISMATCH else "yellow"
        parts.append(
            Text(f"fingerprint {check.status.value}: ", style=style).append_text(literal(check.detail))
        )
    return Group(*parts)


def _section(title: str, body: Drawable, style: str = "blue") -> Drawable:
    return Panel(body, title=Text(title, style="bold"), border_style=style)


def _overview(overview: Overview) -> KeyValues:
    counts = overview.counts
    written = literal(overview.tensorflow_version or "unknown")
    if overview.tensorflow_git_version:
        written.append(" (")
        written.append_text(literal(overview.tensorflow_git_version))
        written.append(")")
    tags = literal(listing(overview.tags) or "(no tags)")
    if len(overview.all_tag_sets) > 1:
        others = " | ".join(",".join(t) or "(no tags)" for t in overview.all_tag_sets)
        tags.append_text(literal(f"   (meta graphs: {others})", style="dim"))
    held = " · ".join(contents(counts))
    rows: list[tuple[str, Text]] = [
        ("Path", literal(str(overview.path))),
        ("Model file", literal(overview.model_file.name)),
        ("Written by", Text("TensorFlow ").append_text(written)),
        ("Versions", Text(f"producer {overview.producer}, min_consumer {overview.min_consumer}")),
        ("Tags", tags),
        ("Contents", Text(held)),
        ("Debug info", _debug_info(overview.debug_info)),
        ("Fingerprint", _fingerprint(overview)),
    ]
    return KeyValues(rows)


def _debug_info(summary: DebugInfoSummary) -> Text:
    if summary.status is DebugInfoStatus.MISSING:
        return Text("none (saved without save_debug_info=True)", style="yellow")
    if summary.status is DebugInfoStatus.CORRUPT:
        return Text("corrupt: ", style="red").append_text(literal(summary.problem or ""))
    text = Text()
    if summary.coverage_percent is None:
        text.append("present, no function nodes to cover")
    else:
        style = "green" if summary.coverage_percent >= 90 else "yellow"
        text.append(f"{summary.coverage_percent:.1f}%", style=style)
        text.append(f" of function nodes traced ({summary.traced_nodes}/{summary.function_nodes})")
    layout = summary.layout.value if summary.layout else "unknown"
    text.append(f", {summary.distinct_traces} distinct traces, {summary.files} files, {layout} layout")
    if summary.stale_keys:
        text.append(f"; {summary.stale_keys} keys name functions absent from the model", style="yellow")
    return text


def _fingerprint(overview: Overview) -> Text:
    fp = overview.fingerprint
    if fp is None:
        return Text("none", style="dim")
    return Text(
        f"checksum {fp.saved_model_checksum:016x} · graph {fp.graph_def_program_hash:016x} · "
        f"signatures {fp.signature_def_hash:016x} · objects {fp.saved_object_graph_hash:016x} · "
        f"checkpoint {fp.checkpoint_hash:016x} (fingerprint v{fp.version})"
    )


def _warnings(warnings: tuple[str, ...]) -> Drawable:
    return Group(*(Text("! ", style="yellow").append_text(literal(w)) for w in warnings))


def _tensor_specs(specs: tuple[TensorSpec, ...]) -> Text:
    text = Text()
    for index, spec in enumerate(specs[:TABLE_ROWS]):
        if index:
            text.append("\n")
        text.append_text(literal(spec.name, style="bold"))
        if spec.is_op:  # an op output such as the init op's NoOp
            text.append(" → ").append_text(literal(spec.tensor_name))
        else:
            text.append(f": {spec.dtype}{spec.shape_text}")
            if spec.tensor_name:
                text.append(" ").append_text(literal(spec.tensor_name, style="dim"))
    if len(specs) > TABLE_ROWS:
        text.append(f"\n… {plural(len(specs) - TABLE_ROWS, 'more tensor')}", style="dim")
    return text or Text("—", style="dim")


def _signatures(signatures: tuple[Signature, ...]) -> Drawable:
    if not signatures:
        return Text("No signatures.", style="dim")
    table = FitTable()
    table.add_column("Signature", style="cyan")
    table.add_column("Inputs")
    table.add_column("Outputs")
    table.add_column("Calls")
    for signature in signatures[:TABLE_ROWS]:
        name = literal(signature.name)
        if signature.method_name:
            name.append("\n").append_text(literal(signature.method_name, style="dim"))
        elif signature.is_init_op:
            name.append("\nruns at load time", style="dim")
        table.add_row(
            name,
            _tensor_specs(signature.inputs),
            _tensor_specs(signature.outputs),
            literal_lines(signature.functions) if signature.functions else Text("—", style="dim"),
        )
    if len(signatures) > TABLE_ROWS:
        hidden = len(signatures) - TABLE_ROWS
        table.add_row(
            Text(f"… {plural(hidden, 'more signature')} (--format json lists them all)", style="dim"),
            "",
            "",
            "",
        )
    return table


def _aliases(report: Report) -> Drawable:
    if not report.aliases:
        return Text(
            "No function aliases (save with function_aliases={...}, or `inspector save --alias`).",
            style="dim",
        )
    root = Tree(Text("alias → concrete functions", style="dim"), guide_style="dim")
    for alias in report.aliases[:TABLE_ROWS]:
        count = len(alias.targets)
        branch = root.add(
            literal(alias.name, style="bold cyan").append(
                f"  ({count} concrete function{'s' if count != 1 else ''})", style="dim"
            )
        )
        for target in alias.targets[:TABLE_ROWS]:
            label = literal(target.function, style="bold" if target.in_library else "")
            if target.input_signature:
                label.append_text(literal(target.input_signature, style="green"))
            if not target.in_library:
                label.append("  not in the function library", style="yellow")
            leaf = branch.add(label)
            if target.signatures:
                leaf.add(
                    Text("reached by signatures: ", style="dim").append_text(
                        literal(listing(target.signatures))
                    )
                )
            if target.object_paths:
                leaf.add(
                    Text("object paths: ", style="dim").append_text(literal(listing(target.object_paths)))
                )
        _count_rest(branch, len(alias.targets), "more concrete function")
    _count_rest(root, len(report.aliases), "more alias")
    return root


def _namespaces(report: Report) -> Drawable:
    parts: list[Drawable] = []
    if report.whitelist is None:
        parts.append(
            Text(
                "No whitelist given: namespaced ops are not checked (TensorFlow's default). "
                "Use --whitelist NS to check them.",
                style="dim",
            )
        )
    else:
        shown = ", ".join(report.whitelist) if report.whitelist else "(empty: no namespace allowed)"
        parts.append(Text("Whitelist: ", style="dim").append_text(literal(shown)))
    if not report.namespaces:
        parts.append(Text("No namespaced (Namespace>Op) op types.", style="dim"))
        return Group(*parts)
    table = FitTable()
    table.add_column("Namespace", style="cyan")
    table.add_column("Op type")
    table.add_column("Nodes", justify="right")
    table.add_column("Functions")
    table.add_column("Whitelist", no_wrap=True)
    for usage in report.namespaces:
        if usage.whitelisted is None:
            status = Text("unchecked", style="dim")
        elif usage.whitelisted:
            status = Text("✓ allowed", style="green")
        else:
            status = Text("✗ not whitelisted", style="bold red")
        for index, op in enumerate(usage.op_types):
            table.add_row(
                literal(usage.namespace) if index == 0 else Text(""),
                literal(op.op_type),
                str(op.node_count),
                literal_lines(function_label(f) for f in op.functions),
                status,
            )
    parts.append(table)
    return Group(*parts)


def _op_types(report: Report) -> Drawable:
    table = FitTable()
    table.add_column("Op type")
    table.add_column("Nodes", justify="right")
    table.add_column("Functions", justify="right")
    for count in report.op_types[:TABLE_ROWS]:
        table.add_row(literal(count.op_type), str(count.node_count), str(count.function_count))
    hidden = report.op_types[TABLE_ROWS:]
    if hidden:
        table.add_row(
            Text(f"… {len(hidden)} more op types", style="dim"),
            Text(str(sum(c.node_count for c in hidden)), style="dim"),
            "",
        )
    return table


def _variables(report: Report) -> Drawable:
    if not report.variables:
        return Text("No variables.", style="dim")
    table = FitTable()
    table.add_column("Object path")
    table.add_column("Name")
    table.add_column("dtype")
    table.add_column("Shape")
    table.add_column("Device")
    for variable in report.variables[:TABLE_ROWS]:
        shape = "<unknown>" if variable.shape is None else str(list(variable.shape))
        path = literal(variable.object_path)
        if not variable.trainable:
            path.append("  (not trainable)", style="dim")
        table.add_row(
            path,
            literal(variable.name),
            variable.dtype,
            shape,
            literal(variable.device) if variable.device else Text("—", style="dim"),
        )
    if len(report.variables) > TABLE_ROWS:
        table.add_row(
            Text(f"… {len(report.variables) - TABLE_ROWS} more variables", style="dim"), "", "", "", ""
        )
    notes: list[Drawable] = [table]
    if report.distinct_variables < len(report.variables):
        notes.append(
            Text(
                f"{len(report.variables)} variable objects hold {report.distinct_variables} distinct weights "
                "(by name, dtype and shape): the object graph tracks some weights under several objects, "
                "as Keras 3 exports do (`variables` and `_all_variables`).",
                style="dim",
            )
        )
    if report.variables and report.variables[0].origin == "graph":
        notes.append(
            Text("TF1 model: variables are the graph's variable nodes (no object graph).", style="dim")
        )
    return Group(*notes)


def _call_trees(report: Report) -> Drawable:
    if not report.call_trees:
        return Text("No signature calls a library function.", style="dim")
    trees: list[Drawable] = []
    for call_tree in report.call_trees[:TABLE_ROWS]:
        tree = Tree(
            Text("signature ", style="dim").append_text(literal(call_tree.signature, style="bold cyan"))
        )
        for node in call_tree.roots:
            _add_call(tree, node)
        trees.append(tree)
    hidden = len(report.call_trees) - TABLE_ROWS
    if hidden > 0:
        trees.append(
            Text(f"… {plural(hidden, 'more signature')} (--format json lists them all)", style="dim")
        )
    return Group(*trees)


def _add_call(parent: Tree, node: CallTreeNode) -> None:
    label = literal(node.function)
    if node.alias:
        label.append("  alias ", style="dim").append_text(literal(node.alias, style="cyan"))
    if not node.in_library:
        label.append("  missing from the library", style="red")
    if node.expanded_above:
        label.append("  (shown above)", style="dim")
    if node.depth_limited:
        label.append("  (calls more: deeper calls not shown)", style="dim")
    branch = parent.add(label)
    for child in node.children:
        _add_call(branch, child)


def _flagged(report: Report) -> Drawable:
    blocks: list[Drawable] = []
    for op in report.flagged_ops:
        head = literal(op.op_type, style="bold red").append("  ").append_text(literal(op.node_key))
        details = Text("in ", style="dim").append_text(literal(function_label(op.function)))
        if op.aliases:
            details.append("  alias ", style="dim").append_text(literal(listing(op.aliases)))
        if op.signatures:
            details.append("  reached by ", style="dim").append_text(literal(listing(op.signatures)))
        blocks.extend([head, details, _user_trace(op.trace), Text("")])
    return Group(*blocks)


def _user_trace(trace: Trace | None) -> Drawable:
    """A creation stack, outermost first, user frames only; framework frames folded into counts."""
    if trace is None:
        return Text("  (no creation trace recorded)", style="dim")
    site = trace.creation_site
    return Group(
        *(
            _folded(item) if isinstance(item, Folded) else _frame_line(item, is_site=item is site)
            for item in trace.user_view()
        )
    )


def _folded(item: Folded) -> Text:
    return Text("    … ", style="dim").append_text(literal(item.text, style="dim"))


def _frame_line(frame: Frame, is_site: bool) -> Text:
    text = Text("  → " if is_site else "    ", style="bold red" if is_site else "")
    text.append_text(literal(frame.file, style="bold" if is_site else ""))
    text.append(f":{frame.line}")
    text.append(" in ", style="dim").append_text(literal(frame.function or "?", style="cyan"))
    if frame.code:
        text.append("\n        ").append_text(literal(frame.code.strip(), style="dim"))
    return text


# --- trace and where ------------------------------------------------------------------------------------


def _trace_page(result: TraceResult, options: RenderOptions) -> _Page:
    findings: Iterable[Drawable]  # made only if --quiet asks for them: 200k lines on a large model
    if result.selector.is_empty:
        findings = (
            literal(f"{site.file}:{site.line}").append(f"  {plural(site.op_count, 'op')}", style="dim")
            for site in result.sites
        )
    else:
        every = itertools.chain((op for group in result.groups for op in group.ops), result.untraced)
        findings = (_op_line(op) for op in every)
    return _trace_sections(result, options.color), findings, _coverage(result.coverage)


def _where_page(result: WhereResult, _options: RenderOptions) -> _Page:
    # Made only if --quiet asks for them: a line matching every op of a large model lists 200k.
    findings = (_op_line(op) for group in result.groups for hit in group.hits for op in hit.ops)
    summary = Text(f"{plural(result.op_count, 'op')} in {plural(len(result.groups), 'function')}. ")
    return _where_sections(result), findings, summary.append_text(_coverage(result.coverage))


def _trace_sections(result: TraceResult, color: bool) -> list[Drawable]:
    if result.selector.is_empty:
        title = f"Ops by creating source line ({len(result.sites)} lines)"
        return [_section(title, _sites(result))]
    parts: list[Drawable] = []
    if not result.selected_ops:
        parts.append(Text("No op matches the selection.", style="yellow"))
    for index, group in enumerate(result.groups, start=1):
        title = f"Trace {index} of {len(result.groups)} · {plural(len(group.ops), 'op')}"
        parts.append(_section(title, _trace_group(group, result, color)))
    if result.untraced:
        body = Group(*(_op_line(op) for op in result.untraced))
        parts.append(_section(f"Selected ops without a trace ({len(result.untraced)})", body, style="yellow"))
    if result.sources.missing_files:
        missing = Text("Source not found here for: ", style="dim")
        missing.append_text(literal(listing(result.sources.missing_files)))
        missing.append(" (map paths with --source-root OLD=NEW)", style="dim")
        parts.append(missing)
    if result.sources.withheld_files:
        parts.append(_withheld(result.sources))
    return parts


def _withheld(sources: Sources) -> Text:
    """Files a model names that were not read: said once, with where source is read from."""
    line = Text("Source not read for files outside ", style="dim")
    line.append_text(literal(listing(sources.read_from) or "the working directory"))
    line.append(
        " or not .py (a model's recorded paths are never read elsewhere; add --source-root): ", style="dim"
    )
    return line.append_text(literal(listing(sources.withheld_files)))


def _op_line(op: OpRef) -> Text:
    line = literal(op.op_type, style="bold").append("  ").append_text(literal(op.node_key))
    if op.aliases:
        line.append("  alias ", style="dim").append_text(literal(listing(op.aliases), style="cyan"))
    return line


def _trace_group(group: TraceGroup, result: TraceResult, color: bool) -> Drawable:
    shown_ops = group.ops[:20]
    lines: list[Drawable] = []
    if group.label:
        lines.append(Text("in ", style="dim").append_text(literal(group.label, style="magenta")))
    lines += [_op_line(op) for op in shown_ops]
    if len(group.ops) > len(shown_ops):
        lines.append(Text(f"… and {len(group.ops) - len(shown_ops)} more ops", style="dim"))
    lines.append(Text("Created by (outermost call first):", style="dim"))
    site = group.trace.creation_site
    if result.all_frames:
        items: tuple[Frame | Folded, ...] = group.trace.frames
    else:
        items = group.trace.user_view()
    for item in items:
        if isinstance(item, Folded):
            lines.append(_folded(item))
            continue
        lines.append(_frame_line(item, is_site=item is site) if item.is_user else _framework_frame(item))
        context = result.sources.context_for(item)
        if context is not None and (item.is_user or result.all_frames):
            lines.append(_source(context) if color else _plain_source(context))
    if site is None:
        lines.append(Text("    (no user frame: every frame is a library's or Python's)", style="dim"))
    return Group(*lines)


def _framework_frame(frame: Frame) -> Text:
    text = Text("    ", style="dim")
    text.append_text(literal(frame.file, style="dim")).append(f":{frame.line}", style="dim")
    text.append(" in ", style="dim").append_text(literal(frame.function or "?", style="dim"))
    return text


def _source(context: SourceContext) -> Drawable:
    from rich.syntax import Syntax  # pulls in pygments: only when there is source to show

    code = "\n".join(visible(line) for line in context.lines)
    syntax = Syntax(
        code,
        "python",
        line_numbers=True,
        start_line=context.first_line,
        highlight_lines={context.line},
        theme="ansi_dark",
        background_color="default",
        word_wrap=False,
    )
    return Padding(syntax, 8)


def _plain_source(context: SourceContext) -> Text:
    """Source lines without highlighting, for output that is not a colour terminal (no pygments)."""
    width = len(str(context.first_line + len(context.lines) - 1))
    text = Text()
    for offset, line in enumerate(context.lines):
        number = context.first_line + offset
        marker = "❱" if number == context.line else " "
        if offset:
            text.append("\n")
        text.append(f"        {marker} {number:>{width}} │ ", style="dim")
        text.append_text(literal(line, style="bold" if number == context.line else ""))
    return text


def _sites(result: TraceResult) -> Drawable:
    if not result.sites:
        return Text("No traced ops (the model has no usable debug info).", style="dim")
    table = FitTable()
    table.add_column("Source line")
    table.add_column("In", style="cyan")
    table.add_column("Ops", justify="right")
    table.add_column("Op types")
    for site in result.sites:
        types = ", ".join(f"{op}×{count}" if count > 1 else op for op, count in site.op_types[:6])
        if len(site.op_types) > 6:
            types += f", … {len(site.op_types) - 6} more"
        table.add_row(
            literal(f"{site.file}:{site.line}"),
            literal(site.function or "?"),
            str(site.op_count),
            literal(types),
        )
    return table


def _coverage(coverage: Coverage) -> Text:
    if coverage.debug_info is not DebugInfoStatus.PRESENT:
        return Text(f"Debug info {coverage.debug_info.value}: no op has a creation trace.", style="yellow")
    text = Text("Coverage: ", style="bold")
    text.append(f"{coverage.traced_nodes}/{coverage.function_nodes} function nodes traced")
    if coverage.untraced_nodes:
        text.append(
            f"; {coverage.untraced_nodes} without a trace (nodes TensorFlow added itself)", style="yellow"
        )
    if coverage.stale_keys:
        text.append(
            f"; {len(coverage.stale_keys)} debug-info keys name functions absent from the model "
            "(stale debug info from another save?)",
            style="yellow",
        )
    return text


def _where_sections(result: WhereResult) -> list[Drawable]:
    query = result.query
    wanted = f"{query.file}:{query.line}" if query.line is not None else f"{query.file} (any line)"
    head = Text("where ", style="dim").append_text(literal(wanted, style="bold"))
    if query.innermost:
        head.append("  innermost user frame only", style="dim")
    parts: list[Drawable] = [head]
    if result.files:
        parts.append(
            Text("matched recorded files: ", style="dim").append_text(literal(listing(result.files)))
        )
    if not result.groups:
        parts.append(Text("No op was created by that source.", style="yellow"))
        if result.nearby:
            parts.append(Text("Nearest recorded lines of that file:", style="dim"))
            for near in result.nearby:
                line = Text("    ").append_text(literal(f"{near.file}:{near.line}"))
                parts.append(line.append(f"  {plural(near.op_count, 'op')}", style="dim"))
    for group in result.groups:
        title = Text("function ").append_text(literal(function_label(group.function)))
        body: list[Drawable] = []
        reach = Text()
        if group.aliases:
            reach.append("alias ", style="dim").append_text(literal(listing(group.aliases), style="cyan"))
        if group.signatures:
            reach.append("  reached by ", style="dim").append_text(literal(listing(group.signatures)))
        if reach:
            body.append(reach)
        table = FitTable()
        table.add_column("Op type")
        table.add_column("Node")
        table.add_column("Lines on its stack")
        table.add_column("Created at")
        rows = [(hit, op) for hit in group.hits for op in hit.ops]
        for hit, op in rows[:TABLE_ROWS]:
            site = hit.site
            table.add_row(
                literal(op.op_type),
                literal(op.node_name),
                ", ".join(map(str, hit.lines)),
                literal(f"{site.file}:{site.line}") if site else Text("—", style="dim"),
            )
        body.append(table)
        if len(rows) > TABLE_ROWS:
            hidden = len(rows) - TABLE_ROWS
            body.append(Text(f"… {plural(hidden, 'more op')} (--format json lists them all)", style="dim"))
        parts.append(Panel(Group(*body), title=title, border_style="blue"))
    return parts


# --- audit ----------------------------------------------------------------------------------------------

_SEVERITY_STYLE = {"critical": "bold white on red", "error": "bold red", "warning": "yellow", "note": "cyan"}


def _audit_page(result: AuditResult, _options: RenderOptions) -> _Page:
    parts: list[Drawable] = []
    for group in result.groups:
        title = f"{group.rule.id} {group.rule.name} · {plural(len(group.findings), 'finding')}"
        style = "red" if group.worst >= result.fail_on else "yellow"
        parts.append(_section(title, Group(*(_finding(f) for f in group.findings)), style=style))
    notices = [_notice_line(notice.rule_id, notice.message, notice.is_error) for notice in result.notices]
    findings: list[Drawable] = [_finding_line(f) for f in result.findings]
    findings += [_notice_line(n.rule_id, n.message, n.is_error) for n in result.notices if n.is_error]
    return parts + notices, findings, _audit_summary(result)


def _notice_line(rule_id: str, message: str, is_error: bool) -> Text:
    style = "bold red" if is_error else "dim"
    return Text(f"{rule_id}: ", style=style).append_text(literal(message, style=style))


def _finding_line(finding: Finding) -> Text:
    """One line per finding (--quiet): severity, rule, what, and where."""
    label = finding.severity.label
    line = Text(f"{label.upper():<8} {finding.rule_id} ", style=_SEVERITY_STYLE[label])
    line.append_text(literal(finding.message))
    where = finding.location
    if where.node_key:
        line.append("  ").append_text(literal(where.node_key, style="dim"))
    elif where.file:
        line.append("  ").append_text(literal(where.file, style="dim"))
    return line


def _finding(finding: Finding) -> Drawable:
    label = finding.severity.label
    head = Text(f"{label.upper():<8}", style=_SEVERITY_STYLE[label]).append(" ")
    head.append_text(literal(finding.message))
    lines: list[Drawable] = [head]
    where = finding.location
    details = Text("         ")
    if where.node_key:
        details.append_text(literal(where.node_key, style="bold"))
    if where.function or where.node_key:
        details.append(" in ", style="dim").append_text(literal(function_label(where.function)))
    if where.file and not where.node_key:
        if where.function:
            details.append("  ", style="dim")
        details.append_text(literal(where.file))
    lines.append(details)
    if where.reach is not None:
        reach = Text("         runs: ", style="dim").append(where.reach.value)
        if where.reached_by:
            reach.append("  via ", style="dim").append_text(literal(listing(where.reached_by)))
        lines.append(reach)
    if where.nesting:
        nested = Text("         inside the serialized graph of ", style="dim")
        lines.append(nested.append_text(literal(" → ".join(where.nesting))))
    for index, frame in enumerate(where.stack):
        is_site = index == len(where.stack) - 1
        lines.append(_frame_line(frame, is_site=is_site))
    lines.append(Text("         fix: ", style="dim").append_text(literal(finding.fix)))
    lines.append(Text(""))
    return Group(*lines)


def _audit_summary(result: AuditResult) -> Text:
    counts = ", ".join(plural(c.findings, c.severity.label) for c in result.counts)
    text = Text(
        f"{plural(len(result.findings), 'finding')}" + (f" ({counts})" if counts else ""), style="bold"
    )
    if result.baselined:
        text.append(f"; {result.baselined} accepted by the baseline", style="dim")
    words = {
        Verdict.INCOMPLETE: f" — INCOMPLETE: {plural(len(result.failed_rules), 'rule')} failed",
        Verdict.FAILED: f" — FAILED (--fail-on {result.fail_on.label})",
        Verdict.PASSED: f" — passed (--fail-on {result.fail_on.label})",
        Verdict.RECORDED: " — recorded in the baseline",
    }
    text.append(words[result.verdict], style=_VERDICT_STYLE[result.verdict.ok])
    return text


# --- diff -----------------------------------------------------------------------------------------------


def _diff_page(result: DiffResult, options: RenderOptions) -> _Page:
    from inspector.results.diff import ChangeKind  # the diff's types, imported by its page only

    head = Text("diff ", style="dim").append_text(literal(str(result.old_model.path), style="red"))
    head.append(" → ", style="dim").append_text(literal(str(result.model.path), style="green"))
    rows: list[tuple[str, Text]] = []
    for count in result.counts:
        if not count.total:
            rows.append((count.category.value, Text("no change", style="dim")))
            continue
        parts = Text()
        for kind, n in (
            (ChangeKind.ADDED, count.added),
            (ChangeKind.REMOVED, count.removed),
            (ChangeKind.CHANGED, count.changed),
        ):
            if n:
                mark, style = _CHANGE_MARK[kind.value]
                parts.append(f"{mark}{n} {kind.value}  ", style=style)
        rows.append((count.category.value, parts))
    sections: list[Drawable] = [head, KeyValues(rows)]
    if not options.stat:
        for category in result.categories:
            changes = result.changes_in(category)
            if changes:
                sections.append(
                    _section(category.value, Group(*(_change_line(c) for c in changes)), style="blue")
                )
    findings: list[Drawable] = [_change_line(c) for c in result.changes]
    verdict = "identical" if result.identical else plural(len(result.changes), "change")
    return sections, findings, Text(verdict, style=_VERDICT_STYLE[result.identical])


#: By ChangeKind's value: the diff's types are imported by its page only.
_CHANGE_MARK = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow")}


def _change_line(change: Change) -> Text:
    from inspector.render.changes import change_detail, change_subject, value_text
    from inspector.results.diff import ChangeKind

    mark, style = _CHANGE_MARK[change.kind.value]
    line = Text(f"{mark} ", style=style).append_text(literal(change_subject(change), style="bold"))
    old, new = value_text(change.old), value_text(change.new)
    if change.kind is ChangeKind.CHANGED and (old or new):
        line.append(": ").append_text(literal(old or "(none)", style="red")).append(" → ")
        line.append_text(literal(new or "(none)", style="green"))
    elif new or old:
        line.append(": ").append_text(literal(new or old, style=style))
    detail = change_detail(change)
    if detail:
        line.append("  (", style="dim").append_text(literal(detail, style="dim")).append(")", style="dim")
    return line


# --- doctor ---------------------------------------------------------------------------------------------


def _diagnosis_page(result: Diagnosis, options: RenderOptions) -> _Page:
    findings: list[Drawable] = [_problem(p) for p in result.blockers]
    if result.load is not None:
        findings.insert(0, _load_line(result.load))
    return _diagnosis_sections(result, options.verbose), findings, _diagnosis_summary(result)


def _diagnosis_summary(result: Diagnosis) -> Text:
    load = result.load
    if load is not None and load.outcome.value == "refused":
        return Text("not loaded: its load would run risky ops on this machine", style="bold red")
    if result.blocked:
        return Text(
            "the model does not load" if load else "blockers found: the model will not load as it is",
            style="bold red",
        )
    return Text(
        "the model loads" if load else "no blocker found statically (--try-load to load it)",
        style="bold green",
    )


def _diagnosis_sections(result: Diagnosis, verbose: bool) -> list[Drawable]:
    parts: list[Drawable] = [
        Text("doctor ", style="dim").append_text(literal(str(result.model.path), style="bold"))
    ]
    load = result.load
    if load is not None:
        parts.append(_load_line(load))
    blockers, others = result.blockers, result.warnings
    if blockers:
        parts.append(
            _section(f"Blockers ({len(blockers)})", Group(*(_problem(p) for p in blockers)), style="red")
        )
    if others:
        parts.append(
            _section(f"Warnings ({len(others)})", Group(*(_problem(p) for p in others)), style="yellow")
        )
    for notice in result.notices:
        parts.append(Text("note: ", style="dim").append_text(literal(notice, style="dim")))
    if verbose and load is not None and load.log.strip():
        log = Group(*(literal(line, style="dim") for line in load.log.rstrip().splitlines()))
        parts.append(_section("Log of the loading process", log, style="dim"))
    return parts


def _load_line(load: LoadAttempt) -> Text:
    text = Text("load attempt: ", style="bold")
    styles = {"loaded": "green", "failed": "red", "timeout": "red", "crashed": "red", "refused": "red"}
    text.append(load.outcome.value, style=styles[load.outcome.value])
    if load.outcome.value == "timeout":
        text.append(f" after {load.timeout:g} s (killed)")
    elif load.outcome.value == "refused":
        text.append(" (nothing was loaded or run)")
    else:
        text.append(f" in {load.seconds:.2f} s")
    if load.op_libraries:
        text.append("  op libraries: ", style="dim").append_text(literal(listing(load.op_libraries)))
    if load.imports:
        text.append("  imports: ", style="dim").append_text(literal(listing(load.imports)))
    if load.python:
        text.append("  python: ", style="dim").append_text(literal(load.python))
    if load.error_message:
        first = load.error_message.strip().splitlines()[0] if load.error_message.strip() else ""
        text.append("\n  ").append_text(
            literal(f"{load.error_type}: {first}" if load.error_type else first, style="red")
        )
    return text


def _problem(problem: Problem) -> Drawable:
    lines: list[Drawable] = [
        Text(f"{problem.kind.value}: ", style="bold").append_text(literal(problem.message))
    ]
    if problem.file:
        lines.append(Text("  file: ", style="dim").append_text(literal(problem.file)))
    if problem.functions:
        lines.append(
            Text("  in: ", style="dim").append_text(
                literal(listing(function_label(f) for f in problem.functions))
            )
        )
    if problem.signatures:
        lines.append(
            Text("  reached by signatures: ", style="dim").append_text(literal(listing(problem.signatures)))
        )
    if problem.aliases:
        lines.append(Text("  aliases: ", style="dim").append_text(literal(listing(problem.aliases))))
    for site in problem.sources:
        lines.append(
            Text("  created at ", style="dim")
            .append_text(literal(f"{site.file}:{site.line}", style="bold"))
            .append(" in ", style="dim")
            .append_text(literal(site.function or "?"))
        )
    lines.append(Text("  fix: ", style="dim").append_text(literal(problem.fix, style="green")))
    lines.append(Text(""))
    return Group(*lines)


# --- symbolicate ----------------------------------------------------------------------------------------


def _symbolicate_page(result: SymbolicateResult, _options: RenderOptions) -> _Page:
    found = result.names - result.unresolved
    style = "green" if not result.unresolved else "yellow"
    summary = Text(f"{found} of {plural(result.names, 'name')} found in the model", style=style)
    sections = _symbolicate_sections(result)
    return sections, sections, summary


def _symbolicate_sections(result: SymbolicateResult) -> list[Drawable]:
    parts: list[Drawable] = []
    if not result.lines:
        parts.append(Text("The log names no node, function or op type.", style="yellow"))
    for line in result.lines:
        head = Text(f"{line.number:>4} │ ", style="dim").append_text(log_line(line.text, style="bold"))
        body: list[Drawable] = [head]
        for resolution in line.resolutions:
            body.extend(_resolution(resolution))
        parts.append(Group(*body, Text("")))
    return parts


def _resolution(resolution: Resolution) -> list[Drawable]:
    head = (
        Text("     ")
        .append(f"{resolution.kind} ", style="dim")
        .append_text(literal(resolution.name, style="cyan"))
    )
    if resolution.first_seen_line:
        return [head.append(f"  (see line {resolution.first_seen_line})", style="dim")]
    status_style = {"found": "green", "ambiguous": "yellow", "not-found": "red"}[resolution.status.value]
    head.append(f"  {resolution.status.value}", style=status_style)
    if resolution.note:
        head.append("  (", style="dim").append_text(literal(resolution.note, style="dim")).append(
            ")", style="dim"
        )
    out: list[Drawable] = [head]
    shown: set[int | None] = set()
    for match in resolution.matches[:10]:
        label = Text("       ").append_text(literal(match.op.op_type, style="bold")).append("  ")
        label.append_text(literal(match.op.node_key))
        if match.op.aliases:
            label.append("  alias ", style="dim").append_text(literal(listing(match.op.aliases)))
        out.append(label)
        key = match.trace.id if match.trace else None
        if key in shown:
            out.append(Text("         (same creation stack as above)", style="dim"))
            continue
        shown.add(key)
        out.append(Padding(_user_trace(match.trace), 4))
    if len(resolution.matches) > 10:
        out.append(Text(f"       … {len(resolution.matches) - 10} more", style="dim"))
    return out


# --- scrub ----------------------------------------------------------------------------------------------


def _scrub_page(result: ScrubResult, _options: RenderOptions) -> _Page:
    written = Text("wrote ", style="dim").append_text(literal(str(result.output), style="bold"))
    written.append(
        f": {plural(result.rewritten, 'recorded path')} rewritten, {result.kept} kept; "
        "verified by reading it back"
    )
    findings: list[Drawable] = [
        Text("still contains ", style="red")
        .append_text(literal(repr(prefix)))
        .append(": ", style="dim")
        .append_text(literal(file))
        for file, prefix in result.remaining
    ]
    return [written, *findings], findings, Text(plural(len(result.remaining), "leak"), style="bold")


_PAGES: dict[str, Callable[[Any, RenderOptions], _Page]] = {
    "report": _report_page,
    "trace": _trace_page,
    "where": _where_page,
    "audit": _audit_page,
    "diff": _diff_page,
    "doctor": _diagnosis_page,
    "symbolicate": _symbolicate_page,
    "scrub": _scrub_page,
}

RENDERERS: dict[str, Callable[[Any, RenderOptions], str]] = dict.fromkeys(_PAGES, _render_page)
