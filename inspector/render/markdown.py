"""Markdown: the report for CI job summaries and pull-request comments (GitHub-flavoured tables)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from inspector.render import RenderOptions
from inspector.render.safe import markdown as md
from inspector.render.safe import visible
from inspector.render.words import (
    contents,
    function_label,
    headline,
    listing,
    plural,
)
from inspector.results.common import Result

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector.results.audit import AuditResult, Finding
    from inspector.results.common import Coverage
    from inspector.results.diff import DiffResult
    from inspector.results.doctor import Diagnosis
    from inspector.results.report import CallTreeNode, DebugInfoSummary, Overview, Report
    from inspector.results.scrub import ScrubResult
    from inspector.results.symbolicate import SymbolicateResult
    from inspector.results.traces import TraceResult, WhereResult
from inspector.view import DebugInfoStatus, Folded, Frame, TensorSpec, Trace

#: Rows a per-function table shows before summarising: a job summary must stay readable.
MAX_ROWS = 100


def render(result: Result, options: RenderOptions | None = None) -> str:
    return RENDERERS[result.kind](result, options or RenderOptions())


def _verdict(result: Result) -> list[str]:
    """The line under every title: the verdict, what it rests on, and the exit status."""
    return [f"**{md(headline(result))}**", ""]


def render_report(report: Report, options: RenderOptions) -> str:
    lines: list[str] = [f"# SavedModel report: `{_code(str(report.overview.path))}`", ""]
    lines += _verdict(report)
    if options.quiet:
        return _join(lines + (_flagged(report) if report.flagged_ops else []))
    lines += _overview(report.overview)
    if report.warnings:
        lines += ["## Warnings", ""] + [f"- ⚠️ {md(w)}" for w in report.warnings] + [""]
    lines += _signatures(report)
    lines += _functions(report)
    lines += _aliases(report)
    lines += _save_options(report)
    lines += _namespaces(report)
    lines += ["## Op types", ""]
    lines += _table(
        ("Op type", "Nodes", "Functions"),
        ((md(c.op_type), str(c.node_count), str(c.function_count)) for c in report.op_types),
        empty="No ops.",
    )
    lines += ["## Variables", ""]
    lines += _table(
        ("Object path", "Name", "dtype", "Shape", "Device", "Trainable"),
        (
            (
                md(v.object_path),
                md(v.name),
                v.dtype,
                "unknown" if v.shape is None else md(str(list(v.shape))),
                md(v.device) or "—",
                "yes" if v.trainable else "no",
            )
            for v in report.variables
        ),
        empty="No variables.",
    )
    if report.distinct_variables < len(report.variables):
        lines += [
            f"{len(report.variables)} variable objects hold {report.distinct_variables} distinct weights (by "
            "name, dtype and shape): the object graph tracks some weights under several objects, as Keras 3 "
            "exports do.",
            "",
        ]
    lines += _call_trees(report)
    if report.flagged_ops:
        lines += _flagged(report)
    lines += _integrity(report)
    return _join(lines)


def _join(lines: list[str]) -> str:
    return "\n".join(lines).rstrip() + "\n"


def _functions(report: Report) -> list[str]:
    lines = ["## Functions", ""]
    if not report.functions:
        return [*lines, "No tf.function in the saved object graph.", ""]
    for function in report.functions[:MAX_ROWS]:
        count = len(function.concrete_functions)
        lines.append(f"- **{md(function.object_path)}** ({plural(count, 'concrete function')})")
        for concrete in function.concrete_functions:
            text = f"  - `{_code(concrete.function)}`"
            text += (
                f" `{_code(concrete.input_signature)}`"
                if concrete.input_signature
                else " (input signature not recorded)"
            )
            if concrete.alias:
                text += f" — alias {md(concrete.alias)}"
            if concrete.signatures:
                text += f" — reached by signatures: {md(listing(concrete.signatures))}"
            lines.append(text)
    return [*lines, "", *_more(len(report.functions) - MAX_ROWS, "more function")]


def _save_options(report: Report) -> list[str]:
    rows = (
        (f"`{o.option}`", f"{o.recorded.value}: {md(o.value)}", md(o.evidence)) for o in report.save_options
    )
    return ["## Save options", "", *_table(("SaveOptions field", "In the model", "Evidence"), rows)]


def _integrity(report: Report) -> list[str]:
    lines = ["## Integrity", ""]
    if report.unlisted_ops:
        lines += [
            "Op types used but missing from `stripped_op_list` (TensorFlow's save-time walk, and its namespace "
            "whitelist check, missed them):",
            "",
        ]
        for op in report.unlisted_ops:
            sites = ", ".join(f"`{_code(f'{s.file}:{s.line}')}`" for s in op.sources) or "no trace"
            lines.append(
                f"- `{_code(op.op_type)}` in {', '.join(f'`{_code(f)}`' for f in op.functions)} — created at {sites}"
            )
        lines.append("")
    else:
        lines += ["`stripped_op_list` lists every op type the functions use.", ""]
    check = report.fingerprint_check
    if check is None:
        lines.append("Fingerprint not verified against the files (`--verify-fingerprint`).")
    else:
        lines.append(f"Fingerprint: **{check.status.value}** {md(check.detail)}".rstrip())
    return [*lines, ""]


def _code(text: str) -> str:
    """Inside a code span nothing is interpreted, but a backtick would end it. Never in a table cell:
    there a `|` ends the cell even inside a code span, and no escape of it survives every backslash a
    model string can put before it (use `_cell`)."""
    return visible(text).replace("`", "'")


def _cell(text: str) -> str:
    """A model string in a table cell: every character Markdown, HTML or the table would read escaped."""
    return md(text)


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]], empty: str = "None.") -> list[str]:
    """A GitHub table, or `empty` when there is no row: a table of headers alone says nothing. Past MAX_ROWS
    rows it counts the rest: a job summary must stay readable, and GitHub cuts summaries at 1 MiB."""
    every = iter(rows)
    body = ["| " + " | ".join(row) + " |" for row in itertools.islice(every, MAX_ROWS)]
    if not body:
        return [empty, ""]
    table = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|", *body, ""]
    return table + _more(sum(1 for _ in every), "more row")


def _more(hidden: int, noun: str) -> list[str]:
    """The line after a list cut at MAX_ROWS items."""
    if hidden <= 0:
        return []
    return [f"... and {plural(hidden, noun)} (`--format json` lists them all).", ""]


def _overview(overview: Overview) -> list[str]:
    counts = overview.counts
    rows = [
        ("Path", _cell(str(overview.path))),
        ("Model file", md(overview.model_file.name)),
        (
            "Written by",
            f"TensorFlow {md(overview.tensorflow_version or 'unknown')} "
            f"{md(overview.tensorflow_git_version)}",
        ),
        ("Versions", f"producer {overview.producer}, min\\_consumer {overview.min_consumer}"),
        ("Tags", md(", ".join(overview.tags) or "(no tags)")),
        (
            "Contents",
            ", ".join(contents(counts)),
        ),
        ("Debug info", _debug_info(overview.debug_info)),
        ("Fingerprint", _fingerprint(overview)),
    ]
    return ["## Overview", "", *_table(("", ""), rows)]


def _debug_info(summary: DebugInfoSummary) -> str:
    if summary.status is DebugInfoStatus.MISSING:
        return "none (saved without save\\_debug\\_info=True)"
    if summary.status is DebugInfoStatus.CORRUPT:
        return f"**corrupt**: {md(summary.problem or '')}"
    layout = summary.layout.value if summary.layout else "unknown"
    coverage = "n/a" if summary.coverage_percent is None else f"{summary.coverage_percent:.1f}%"
    text = (
        f"{coverage} of function nodes traced ({summary.traced_nodes}/{summary.function_nodes}), "
        f"{plural(summary.distinct_traces, 'distinct trace')}, {plural(summary.files, 'file')}, {layout} layout"
    )
    if summary.stale_keys:
        text += f"; {summary.stale_keys} keys name functions absent from the model"
    return text


def _fingerprint(overview: Overview) -> str:
    fp = overview.fingerprint
    if fp is None:
        return "none"
    return (
        f"checksum `{fp.saved_model_checksum:016x}`, graph `{fp.graph_def_program_hash:016x}`, "
        f"signatures `{fp.signature_def_hash:016x}`, objects `{fp.saved_object_graph_hash:016x}`, "
        f"checkpoint `{fp.checkpoint_hash:016x}` (v{fp.version})"
    )


def _specs(specs: tuple[TensorSpec, ...]) -> str:
    """Each tensor with its dtype and shape, and the graph tensor a caller feeds or fetches."""
    return (
        "<br>".join(
            (
                f"{md(s.name)} → op {md(s.tensor_name)}"
                if s.is_op
                else f"{md(s.name)}: {s.dtype}{md(s.shape_text)}"
                + (f" ({md(s.tensor_name)})" if s.tensor_name else "")
            )
            for s in specs[:MAX_ROWS]
        )
        + (f"<br>... and {plural(len(specs) - MAX_ROWS, 'more tensor')}" if len(specs) > MAX_ROWS else "")
        or "—"
    )


def _signatures(report: Report) -> list[str]:
    if not report.signatures:
        return ["## Signatures", "", "No signatures.", ""]
    rows = (
        (
            _cell(s.name),
            md(s.method_name),
            _specs(s.inputs),
            _specs(s.outputs),
            "<br>".join(md(f) for f in s.functions) or "—",
        )
        for s in report.signatures
    )
    return ["## Signatures", "", *_table(("Signature", "Method", "Inputs", "Outputs", "Calls"), rows)]


def _aliases(report: Report) -> list[str]:
    lines = ["## Aliases", ""]
    if not report.aliases:
        return [*lines, "No function aliases.", ""]
    for alias in report.aliases[:MAX_ROWS]:
        lines.append(f"- **{md(alias.name)}** ({plural(len(alias.targets), 'concrete function')})")
        for target in alias.targets[:MAX_ROWS]:
            text = f"  - `{_code(target.function)}`"
            if target.input_signature:
                text += f" `{_code(target.input_signature)}`"
            if not target.in_library:
                text += " — ⚠️ not in the function library"
            if target.signatures:
                text += f" — reached by signatures: {md(listing(target.signatures))}"
            if target.object_paths:
                text += f" — object paths: {md(listing(target.object_paths))}"
            lines.append(text)
        if len(alias.targets) > MAX_ROWS:
            lines.append(f"  - ... and {plural(len(alias.targets) - MAX_ROWS, 'more concrete function')}")
    return [*lines, "", *_more(len(report.aliases) - MAX_ROWS, "more alias")]


def _namespaces(report: Report) -> list[str]:
    lines = ["## Namespaces", ""]
    if report.whitelist is None:
        lines += ["No whitelist given: namespaced ops are not checked (TensorFlow's default).", ""]
    else:
        lines += [f"Whitelist: {md(listing(report.whitelist)) or '(empty)'}", ""]
    if not report.namespaces:
        return [*lines, "No namespaced (Namespace>Op) op types.", ""]
    status = {None: "unchecked", True: "✅ allowed", False: "❌ not whitelisted"}
    rows = (
        (
            md(u.namespace),
            md(op.op_type),
            str(op.node_count),
            "<br>".join(md(function_label(f)) for f in op.functions),
            status[u.whitelisted],
        )
        for u in report.namespaces
        for op in u.op_types
    )
    return [*lines, *_table(("Namespace", "Op type", "Nodes", "Functions", "Whitelist"), rows)]


def _call_trees(report: Report) -> list[str]:
    lines = ["## Function call tree", ""]
    if not report.call_trees:
        return [*lines, "No signature calls a library function.", ""]
    for tree in report.call_trees[:MAX_ROWS]:
        lines.append(f"- signature **{md(tree.signature)}**")
        for root in tree.roots:
            lines += _call_lines(root, depth=1)
    return [*lines, "", *_more(len(report.call_trees) - MAX_ROWS, "more signature")]


def _call_lines(node: CallTreeNode, depth: int) -> list[str]:
    text = "  " * depth + f"- `{_code(node.function)}`"
    if node.alias:
        text += f" (alias {md(node.alias)})"
    if not node.in_library:
        text += " — missing from the library"
    if node.expanded_above:
        text += " (shown above)"
    if node.depth_limited:
        text += " (calls more: deeper calls not shown)"
    lines = [text]
    for child in node.children:
        lines += _call_lines(child, depth + 1)
    return lines


def _flagged(report: Report) -> list[str]:
    lines = [f"## Ops outside the whitelist ({len(report.flagged_ops)})", ""]
    for op in report.flagged_ops:
        lines.append(f"### `{_code(op.op_type)}` `{_code(op.node_key)}`")
        where = f"in `{_code(function_label(op.function))}`"
        if op.aliases:
            where += f", alias {md(listing(op.aliases))}"
        if op.signatures:
            where += f", reached by {md(listing(op.signatures))}"
        lines += [where, "", *_trace(op.trace), ""]
    return lines


def _trace(trace: Trace | None, all_frames: bool = False) -> list[str]:
    """A creation stack in a code block: user frames, framework ones folded (or shown, `all_frames`)."""
    if trace is None:
        return ["(no creation trace recorded)"]
    site = trace.creation_site
    items: tuple[Frame | Folded, ...] = trace.frames if all_frames else trace.user_view()
    lines = ["```"]
    for item in items:
        if isinstance(item, Folded):
            lines.append(f"    ... {_code(item.text)}")
        else:
            marker = "->" if item is site else "  " if item.is_user else " ."
            lines.append(f"{marker} {_code(item.file)}:{item.line} in {_code(item.function or '?')}")
    return [*lines, "```"]


# --- trace and where ------------------------------------------------------------------------------------


def render_trace(result: TraceResult, options: RenderOptions) -> str:
    lines = [f"# Op traces: `{_code(str(result.model.path))}`", "", *_verdict(result)]
    if options.quiet:
        ops = [op for group in result.groups for op in group.ops] + list(result.untraced)
        return _join(lines + [f"- `{_code(op.op_type)}` `{_code(op.node_key)}`" for op in ops])
    if result.selector.is_empty:
        lines += ["## Ops by creating source line", ""]
        rows = (
            (
                _cell(f"{s.file}:{s.line}"),
                md(s.function or "?"),
                str(s.op_count),
                md(", ".join(f"{op}×{n}" if n > 1 else op for op, n in s.op_types)),
            )
            for s in result.sites
        )
        lines += _table(("Source line", "In", "Ops", "Op types"), rows, empty="No traced ops.")
    else:
        if not result.selected_ops:
            lines += ["No op matches the selection.", ""]
        for index, group in enumerate(result.groups, start=1):
            lines += [f"## Trace {index} of {len(result.groups)} ({plural(len(group.ops), 'op')})", ""]
            if group.label:
                lines += [f"In `{_code(group.label)}`", ""]
            lines += [f"- `{_code(op.op_type)}` `{_code(op.node_key)}`" for op in group.ops]
            lines += ["", *_trace(group.trace, result.all_frames), ""]
        if result.untraced:
            lines += ["## Selected ops without a trace", ""]
            lines += [f"- `{_code(op.op_type)}` `{_code(op.node_key)}`" for op in result.untraced]
            lines.append("")
        if result.sources.missing_files:
            lines += [f"Source not found here for: {md(listing(result.sources.missing_files))}", ""]
        if result.sources.withheld_files:
            lines += [
                f"Source not read for files outside {md(listing(result.sources.read_from))} or not .py "
                f"(a model's recorded paths are never read elsewhere; add --source-root): "
                f"{md(listing(result.sources.withheld_files))}",
                "",
            ]
    lines += [_coverage(result.coverage)]
    return "\n".join(lines).rstrip() + "\n"


def _coverage(coverage: Coverage) -> str:
    if coverage.debug_info is not DebugInfoStatus.PRESENT:
        return f"Debug info {coverage.debug_info.value}: no op has a creation trace."
    text = f"Coverage: {coverage.traced_nodes}/{coverage.function_nodes} function nodes traced"
    if coverage.untraced_nodes:
        text += f"; {coverage.untraced_nodes} without a trace"
    if coverage.stale_keys:
        text += f"; {len(coverage.stale_keys)} debug-info keys name functions absent from the model"
    return text + "."


def render_where(result: WhereResult, options: RenderOptions) -> str:
    query = result.query
    wanted = f"{query.file}:{query.line}" if query.line is not None else query.file
    lines = [f"# Ops created by `{_code(wanted)}`", "", *_verdict(result)]
    if options.quiet:
        ops = [op for group in result.groups for hit in group.hits for op in hit.ops]
        return _join(lines + [f"- `{_code(op.op_type)}` `{_code(op.node_key)}`" for op in ops])
    if query.innermost:
        lines += ["Innermost user frame only.", ""]
    if result.files:
        lines += ["Matched recorded files: " + ", ".join(f"`{_code(f)}`" for f in result.files), ""]
    if not result.groups:
        lines += ["No op was created by that source.", ""]
        if result.nearby:
            lines += ["Nearest recorded lines of that file:", ""]
            lines += [f"- `{_code(f'{n.file}:{n.line}')}`: {plural(n.op_count, 'op')}" for n in result.nearby]
            lines.append("")
    for group in result.groups:
        head = f"## `{_code(function_label(group.function))}`"
        if group.aliases:
            head += f" (alias {md(listing(group.aliases))})"
        lines += [head, ""]
        if group.signatures:
            lines += [f"Reached by {md(listing(group.signatures))}.", ""]
        pairs = [(hit, op) for hit in group.hits for op in hit.ops]
        rows = (
            (
                md(op.op_type),
                _cell(op.node_name),
                ", ".join(map(str, hit.lines)),
                _cell(f"{hit.site.file}:{hit.site.line}") if hit.site else "—",
            )
            for hit, op in pairs
        )
        lines += _table(("Op type", "Node", "Lines on its stack", "Created at"), rows)
    lines += [
        f"{plural(result.op_count, 'op')} in {plural(len(result.groups), 'function')}. {_coverage(result.coverage)}"
    ]
    return "\n".join(lines).rstrip() + "\n"


# --- audit ----------------------------------------------------------------------------------------------

_BADGE = {"critical": "🟥 critical", "error": "🔴 error", "warning": "🟡 warning", "note": "🔵 note"}


def render_audit(result: AuditResult, options: RenderOptions) -> str:
    lines = [f"# SavedModel audit: `{_code(str(result.model.path))}`", "", *_verdict(result)]
    rows = ((_BADGE[c.severity.label], str(c.findings)) for c in result.counts)
    lines += _table(("Severity", "Findings"), rows, empty="No findings.")
    if result.baselined:
        verb = "is" if result.baselined == 1 else "are"
        lines += [
            f"{plural(result.baselined, 'known finding')} accepted by the baseline {verb} not listed.",
            "",
        ]
    for group in result.groups:
        lines += [
            f"## {md(group.rule.id)} {md(group.rule.name)} ({plural(len(group.findings), 'finding')})",
            "",
        ]
        for finding in group.findings:
            lines += _finding(finding, brief=options.quiet)
        lines.append("")
    notices = [n for n in result.notices if n.is_error or not options.quiet]
    if notices:
        lines += ["## Notices", ""]
        lines += [f"- {'❗ ' if n.is_error else ''}{n.rule_id}: {md(n.message)}" for n in notices]
    return _join(lines)


def _finding(finding: Finding, brief: bool = False) -> list[str]:
    where = finding.location
    lines = [f"- {_BADGE[finding.severity.label]} — {md(finding.message)}"]
    if brief:
        return lines
    if where.node_key:
        lines.append(f"  - node `{_code(where.node_key)}` in `{_code(function_label(where.function))}`")
    elif where.file:
        lines.append(f"  - file `{_code(where.file)}`")
    if where.reach is not None:
        via = f" via {md(listing(where.reached_by))}" if where.reached_by else ""
        lines.append(f"  - runs: {where.reach.value}{via}")
    if where.nesting:
        lines.append(f"  - inside the serialized graph of {md(' → '.join(where.nesting))}")
    if where.source is not None:
        lines.append(
            f"  - created at `{_code(f'{where.source.file}:{where.source.line}')}` in {md(where.source.function or '?')}"
        )
    lines.append(f"  - fix: {md(finding.fix)}")
    return lines


# --- diff -----------------------------------------------------------------------------------------------

#: By ChangeKind's value: the diff's types are imported by its page only.
_DIFF_MARK = {"added": "➕", "removed": "➖", "changed": "✏️"}


def render_diff(result: DiffResult, options: RenderOptions) -> str:
    from inspector.render.changes import change_detail, change_subject, value_text
    from inspector.results.diff import ChangeKind

    title = f"# SavedModel diff: `{_code(str(result.old_model.path))}` → `{_code(str(result.model.path))}`"
    lines = [title, "", *_verdict(result)]
    if not options.quiet:
        rows = ((c.category.value, str(c.added), str(c.removed), str(c.changed)) for c in result.counts)
        lines += _table(("Category", "Added", "Removed", "Changed"), rows, empty="No category compared.")
    if options.stat:
        return _join(lines)
    for category in result.categories:
        changes = result.changes_in(category)
        if not changes:
            continue
        lines += [f"## {category.value}", ""]
        for change in changes:
            text = f"- {_DIFF_MARK[change.kind.value]} `{_code(change_subject(change))}`"
            old, new = value_text(change.old), value_text(change.new)
            if change.kind is ChangeKind.CHANGED and (old or new):
                text += f": `{_code(old or '(none)')}` → `{_code(new or '(none)')}`"
            elif new or old:
                text += f": `{_code(new or old)}`"
            detail = change_detail(change)
            if detail:
                text += f" ({md(detail)})"
            lines.append(text)
        lines.append("")
    return _join(lines)


# --- doctor ---------------------------------------------------------------------------------------------


def render_diagnosis(result: Diagnosis, options: RenderOptions) -> str:
    lines = [f"# SavedModel doctor: `{_code(str(result.model.path))}`", "", *_verdict(result)]
    load = result.load
    if load is not None:
        when = {
            "timeout": f"after {load.timeout:g} s (killed)",
            "refused": "(nothing was loaded or run)",
        }.get(load.outcome.value, f"in {load.seconds:.2f} s")
        lines += [f"Load attempt: **{load.outcome.value}** {when}.", ""]
        if load.error_message.strip():
            lines += ["```", visible(load.error_message.strip().splitlines()[0]), "```", ""]
    sections = [("Blockers", result.blockers)]
    if not options.quiet:
        sections.append(("Warnings", result.warnings))
    for title, problems in sections:
        if not problems:
            continue
        lines += [f"## {title}", ""]
        for problem in problems:
            lines.append(f"- **{problem.kind.value}**: {md(problem.message)}")
            if problem.file:
                lines.append(f"  - file `{_code(problem.file)}`")
            if problem.functions:
                lines.append(
                    "  - in " + ", ".join(f"`{_code(function_label(f))}`" for f in problem.functions)
                )
            if problem.signatures:
                lines.append(f"  - reached by {md(listing(problem.signatures))}")
            for site in problem.sources:
                lines.append(
                    f"  - created at `{_code(f'{site.file}:{site.line}')}` in {md(site.function or '?')}"
                )
            lines.append(f"  - fix: {md(problem.fix)}")
        lines.append("")
    if result.notices and not options.quiet:
        lines += ["## Notes", "", *(f"- {md(n)}" for n in result.notices), ""]
    if options.verbose and load is not None and load.log.strip():
        lines += [
            "## Log of the loading process",
            "",
            "```",
            visible(load.log.rstrip()).replace("\\x0a", "\n"),
            "```",
        ]
    return "\n".join(lines).rstrip() + "\n"


# --- symbolicate ----------------------------------------------------------------------------------------


def render_symbolicate(result: SymbolicateResult, _options: RenderOptions) -> str:
    lines = [f"# Symbolicated error: `{_code(str(result.model.path))}`", "", *_verdict(result)]
    for line in result.lines:
        lines += ["```", f"{line.number}: {visible(line.text)}", "```", ""]
        for resolution in line.resolutions:
            if resolution.first_seen_line:
                lines.append(
                    f"- {resolution.kind} `{_code(resolution.name)}`: see line {resolution.first_seen_line}"
                )
                continue
            note = f" ({md(resolution.note)})" if resolution.note else ""
            lines.append(
                f"- {resolution.kind} `{_code(resolution.name)}`: **{resolution.status.value}**{note}"
            )
            for match in resolution.matches[:10]:
                lines.append(f"  - `{_code(match.op.op_type)}` `{_code(match.op.node_key)}`")
                if match.trace is not None:
                    lines += ["", *("    " + row for row in _trace(match.trace)), ""]
        lines.append("")
    found = result.names - result.unresolved
    lines.append(f"{found} of {plural(result.names, 'name')} found in the model.")
    return _join(lines)


# --- scrub ----------------------------------------------------------------------------------------------


def render_scrub(result: ScrubResult, _options: RenderOptions) -> str:
    lines = [f"# Scrubbed copy: `{_code(str(result.output))}`", "", *_verdict(result)]
    lines += [
        f"From `{_code(str(result.model.path))}`: {plural(result.rewritten, 'recorded path')} rewritten, "
        f"{result.kept} kept; verified by reading it back.",
        "",
    ]
    rows = ((_cell(file), _cell(prefix)) for file, prefix in result.remaining)
    lines += _table(("File of the copy", "Prefix still in it"), rows, empty="No stripped prefix remains.")
    return _join(lines)


RENDERERS: dict[str, Callable[[Any, RenderOptions], str]] = {
    "report": render_report,
    "trace": render_trace,
    "where": render_where,
    "audit": render_audit,
    "diff": render_diff,
    "doctor": render_diagnosis,
    "symbolicate": render_symbolicate,
    "scrub": render_scrub,
}
