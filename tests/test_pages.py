"""One page per result: the terminal, Markdown and HTML say the same words, because they write one page.

Every line of a result's page (the headline, titles, paragraphs, table cells, tree labels, entries, the
summary and the exit meaning) must be found, whole, in what each writer draws, once its markup is read.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import results_by_hand
from conftest import ROOT
from markdown_it import MarkdownIt

from fixtures import catalog
from inspector import build_report, load
from inspector._internal.audit import audit
from inspector._internal.diff import diff
from inspector._internal.render import OutputFormat, RenderOptions, render
from inspector._internal.render.pagemodel import (
    Block,
    Code,
    Entries,
    KeyValues,
    Line,
    Page,
    Paragraph,
    Section,
    Table,
    Tree,
    plain_text,
)
from inspector._internal.render.pages import page_of
from inspector._internal.render.safe import visible
from inspector._internal.render.words import plural
from inspector.results.common import Result

#: Wide enough that the terminal wraps nothing.
WIDE = RenderOptions(width=5000)


def _results() -> Iterator[tuple[str, Result]]:
    yield "audit", results_by_hand.audit_result()
    yield "diff", results_by_hand.diff_result()
    yield "doctor", results_by_hand.diagnosis()
    yield "doctor-timeout", results_by_hand.diagnosis_after_a_timeout()
    yield "scrub", results_by_hand.scrub_result()
    yield "where", results_by_hand.where_result(3)
    custom = load(catalog.get("custom_ops").path)
    yield "report", build_report(custom, whitelist=["Acme"])
    yield "audit-real", audit(load(catalog.get("risky_ops").path))
    yield "diff-real", diff(load(catalog.get("versioned_v1").path), load(catalog.get("versioned_v2").path))


RESULTS = dict(_results())


def lines_of(document: Page, html: bool = False) -> Iterator[Line]:
    """Every line the page says, walked without recursion (the title is the document's: Markdown's and
    HTML's heading; a terminal page starts with its verdict); `html`: the sections only HTML draws too."""
    yield document.summary
    pending: list[object] = list(document.blocks(quiet=False, html=html))
    while pending:
        block = pending.pop()
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, KeyValues):
            for _key, value in block.rows:
                yield value
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    yield from cell
            yield block.rest
        elif isinstance(block, Tree):
            yield block.label
            pending += block.children
        elif isinstance(block, Entries):
            for entry in block.entries:
                yield entry.label
                yield entry.head
                for detail in entry.details:
                    if isinstance(detail, Block):
                        pending.append(detail)
                    else:
                        yield detail
        elif isinstance(block, Code):
            yield from block.lines
        elif isinstance(block, Section):
            yield block.title
            pending += block.blocks


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _read_html(page: str) -> str:
    reader = _Text()
    reader.feed(page)
    return _words(html.unescape("".join(reader.parts)).replace("\u00a0", " "))


def drawn(result: Result, fmt: OutputFormat) -> str:
    """What a reader sees of a format's output, as words."""
    output = render(result, fmt, WIDE)
    if fmt is OutputFormat.MARKDOWN:
        return _read_html(MarkdownIt("commonmark").enable("table").render(output))
    if fmt is OutputFormat.HTML:
        body = output[output.index("<body>") :]
        return _read_html(body)
    return _words(output)


@pytest.mark.parametrize("name", sorted(RESULTS))
@pytest.mark.parametrize("fmt", [OutputFormat.TEXT, OutputFormat.MARKDOWN, OutputFormat.HTML])
def test_every_format_says_every_line_of_the_page(name: str, fmt: OutputFormat) -> None:
    result = RESULTS[name]
    document = page_of(result)
    seen = drawn(result, fmt)
    expected = [document.headline, document.exit_meaning]
    expected += [plain_text(line) for line in lines_of(document, html=fmt is OutputFormat.HTML)]
    if fmt is not OutputFormat.TEXT:
        expected.append(plain_text(document.title))
    for text in expected:
        words = _words(visible(text))
        if fmt is OutputFormat.MARKDOWN:
            words = words.replace("`", "'")  # a code span cannot hold one
        assert words in seen, (fmt.value, words)


def test_the_page_of_a_deep_call_chain_is_written_without_recursion() -> None:
    """A 3,000-call chain, deeper than Python's recursion limit: each writer draws the whole tree."""
    from inspector._internal.render.pagemodel import line

    root = Tree(line("signature serving_default"))
    node = root
    for depth in range(3000):
        node = node.add(line(f"f{depth}"))
    document = Page(line("t"), "PASSED: x (exit 0)", True, (Section(line("calls"), (root,)),), line("s"), "e")
    from inspector._internal.render import html as html_writer
    from inspector._internal.render import markdown as markdown_writer

    assert "f2999" in "\n".join(markdown_writer.write(document.body[0], level=2))
    assert "f2999" in "\n".join(html_writer.write(document.body[0], level=2))


def test_markdown_and_html_never_import_rich() -> None:
    """The terminal writer is rich's only user: CI formats start without it."""
    script = (
        "import sys\n"
        "from inspector import build_report, load\n"
        "from inspector._internal.render import OutputFormat, render\n"
        f"report = build_report(load({str(catalog.get('custom_ops').path)!r}))\n"
        "render(report, OutputFormat.MARKDOWN); render(report, OutputFormat.HTML)\n"
        "assert 'rich' not in sys.modules, sorted(m for m in sys.modules if m.startswith('rich'))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, timeout=60)


def test_the_html_page_fetches_nothing_and_names_its_model() -> None:
    result = RESULTS["report"]
    page = render(result, OutputFormat.HTML)
    from inspector._internal.render.html import SEARCH_SCRIPT, _script_hash

    assert "default-src 'none'" in page  # the Content-Security-Policy: no font, image or other script loads
    # One script, the page's search, allowed by its hash: any other inline script would not run.
    assert page.count("<script") == 1 and f"<script>{SEARCH_SCRIPT}</script>" in page
    assert f"script-src 'sha256-{_script_hash(SEARCH_SCRIPT)}'" in page
    markup = page.replace(f"<script>{SEARCH_SCRIPT}</script>", "")
    # No source anywhere; links only into the page (a name's link searches the page for it).
    assert not re.search(r"src\s*=", markup) and "url(" not in page
    assert all(link.startswith("#find=") for link in re.findall(r'href="([^"]*)"', markup))
    assert len(re.findall(r"href\s*=", markup)) == len(re.findall(r'href="#', markup))
    assert re.findall(r"\.href\s*=\s*([^;]+);", SEARCH_SCRIPT) == [
        '"#" + target.id'
    ]  # links stay in the page
    title = re.search(r"<title>(.*)</title>", page)
    assert title and "inspector report" in title.group(1) and "custom_ops" in title.group(1)


@pytest.mark.parametrize("name", [f.name for f in catalog.FIXTURES])
def test_no_page_of_any_fixture_reaches_outside_and_each_title_names_its_model(
    name: str, tmp_path: Path
) -> None:
    from conftest import run_cli

    path = catalog.get(name).path
    for command in (["report", path], ["audit", path, "--no-registry"], ["diff", path, path]):
        page = tmp_path / f"{command[0]}.html"
        run = run_cli(*command, "--format", "html", "-o", page)
        assert run.code in (0, 1), run.stderr
        text = page.read_text()
        # A model's strings may mention a URL as text; nothing in the page's own markup or styles loads one.
        assert "url(" not in text.split("<body>", 1)[0] and "@import" not in text, command
        markup = re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S)
        assert not re.search(r"(?:src|href)\s*=\s*(?![\"']?#)", markup), command
        title = re.search(r"<title>(.*)</title>", text)
        assert title and f"inspector {command[0]}" in title.group(1) and path.name in title.group(1), command


def test_a_page_header_names_the_tensorflow_that_wrote_the_model_and_its_size() -> None:
    """A reviewer handed one page sees who wrote the model and how big it is before any finding; a diff
    says old → new where they differ, once where they agree."""
    audit_page = page_of(RESULTS["audit-real"])
    model = RESULTS["audit-real"].model
    about = plain_text(audit_page.about)
    assert f"TensorFlow {model.tensorflow_version} · {model.function_count} functions" in about
    assert f"{model.node_count} nodes · tags serve" in about

    changed = RESULTS["diff-real"]
    old, new = changed.old_model, changed.model  # type: ignore[attr-defined]
    assert old.node_count != new.node_count and old.tensorflow_version == new.tensorflow_version
    about = plain_text(page_of(changed).about)
    assert f"{old.node_count} → {new.node_count} nodes" in about
    assert about.count(new.tensorflow_version) == 1

    for writer in (OutputFormat.HTML, OutputFormat.MARKDOWN):
        assert new.tensorflow_version in render(changed, writer, WIDE)
    # A model the tool could not read has no header facts to give (a doctor on a broken file).
    assert page_of(results_by_hand.diagnosis()).about == ()


def test_a_linked_name_is_percent_encoded_in_its_link_and_escaped_in_its_text() -> None:
    from inspector._internal.render import html as html_writer
    from inspector._internal.render.pagemodel import Entry, name

    hostile = '"><img/src=x/onerror=alert(1)>@f'  # one name: no space
    [markup] = [
        row
        for row in html_writer.write(Entries((Entry((name(hostile),)),)), level=2, linked=True)
        if "find" in row
    ]
    href = re.search(r'href="([^"]*)"', markup)
    assert href and re.fullmatch(r"#find=[A-Za-z0-9%._~-]+", href.group(1))
    assert "<img" not in markup and "&lt;img/src=x/onerror=alert(1)&gt;@f" in markup
    # Without a script to follow them (a notebook's fragment), names stay plain.
    assert "href" not in "".join(html_writer.write(Entries((Entry((name(hostile),)),)), level=2))


def test_an_audit_page_opens_with_its_findings_at_a_glance_and_folds_rules_with_notes_alone() -> None:
    result = audit(load(catalog.get("risky_ops").path))
    document = page_of(result)
    glance = document.body[0]
    assert isinstance(glance, Section) and plain_text(glance.title) == "At a glance"
    counts = plain_text(next(b for b in glance.blocks if isinstance(b, Paragraph)).text)
    by_severity = {
        s: sum(f.severity.label == s for f in result.findings) for s in ("critical", "error", "note")
    }
    for severity, count in by_severity.items():
        if count:
            assert plural(count, severity) in counts
    [table] = [b for b in glance.blocks if isinstance(b, Table)]
    assert [plain_text(row[1][0]) for row in table.rows] == [g.rule.id for g in result.groups]
    # A rule whose findings are all notes reads by its title: its section starts folded.
    sections = [b for b in document.body[1:] if isinstance(b, Section) and not b.html_only]
    for group, section in zip(result.groups, sections, strict=True):
        assert section.folded is (group.worst.label == "note")
    page = render(result, OutputFormat.HTML)
    assert '<details class="section' in page and "<h2>At a glance</h2>" in page


def test_the_html_audit_page_indexes_every_finding_and_explains_each_rule_a_click_away() -> None:
    result = audit(load(catalog.get("risky_ops").path))
    document = page_of(result)
    findings, *_ = [b for b in document.body if isinstance(b, Section) and b.html_only]
    [table] = findings.blocks
    assert isinstance(table, Table) and len(table.rows) == len(result.findings)
    assert [table.columns[i].header for i in table.filters] == ["Severity", "Rule", "Runs"]
    explained = next(
        b for b in document.body if isinstance(b, Section) and plain_text(b.title) == "The rules, explained"
    )
    assert explained.folded and explained.html_only
    assert [s.anchor for s in explained.blocks] == [f"rule-{g.rule.id}" for g in result.groups]
    page = render(result, OutputFormat.HTML)
    first = result.groups[0].rule.id
    assert f'<a href="#rule-{first}"><code>{first}</code></a>' in page
    assert f'<details open id="rule-{first}" class="section">' in page
    assert 'data-filters="0,1,3"' in page
    # The terminal and Markdown pages have `inspector rule` instead: neither the index nor the rules.
    for fmt in (OutputFormat.TEXT, OutputFormat.MARKDOWN):
        drawn_page = render(result, fmt)
        assert "The rules, explained" not in drawn_page and "Why it matters" not in drawn_page


def test_an_audit_page_lists_each_rules_first_findings_and_counts_the_rest() -> None:
    from tests import results_by_hand

    result = results_by_hand.audit_result_of_many_findings()
    for limit, shown in ((20, 20), (5, 5), (None, 23)):
        document = page_of(result, max_per_rule=limit)
        [section] = [
            b for b in document.body if isinstance(b, Section) and plain_text(b.title).startswith("INS002")
        ]
        entries = next(b for b in section.blocks if isinstance(b, Entries))
        assert len(entries.entries) == shown
        rest = [plain_text(b.text) for b in section.blocks if isinstance(b, Paragraph)]
        assert rest == (
            [f"… {23 - shown} more INS002 findings (--all lists them; --format json has them all)"]
            if shown < 23
            else []
        )
        quiet = list(document.blocks(quiet=True))
        assert (
            sum("INS002 ReadFile" in plain_text(b.text) for b in quiet if isinstance(b, Paragraph)) == shown
        )
    # JSON and SARIF hold every finding, whatever the page lists.
    assert render(result, OutputFormat.JSON).count("ReadFile reads a file") == 23
