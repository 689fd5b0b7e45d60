"""The HTML writer: a command's page (`pages/`) as one self-contained document (`--format html`), and
as the fragment a notebook shows.

Sections, tables, lists and trees are HTML's own elements; nothing is fetched (a Content-Security-Policy
forbids it: no script, font or image from anywhere). Every span is made visible (`safe.visible`) and then
HTML-escaped, so no model string becomes markup; names are set as code.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote

from inspector._internal.render import RenderOptions
from inspector._internal.render.pagemodel import (
    Block,
    Code,
    Entries,
    KeyValues,
    Line,
    Page,
    Paragraph,
    Section,
    Source,
    Table,
    Tree,
    numbered,
    plain_text,
)
from inspector._internal.render.pages import page_of
from inspector._internal.render.safe import visible

if TYPE_CHECKING:
    from inspector.results import CommandResult

#: Light and dark, each tone a colour; scoped to the page's root so a notebook's own styles are untouched.
STYLE = """
.inspector { font: 14px/1.45 system-ui, sans-serif; color: #1f2328; background: #fff; max-width: 80rem; }
.inspector code, .inspector pre { font-family: Menlo, 'DejaVu Sans Mono', Consolas, monospace; font-size: 13px; }
.inspector pre { background: #f6f8fa; padding: .5rem .75rem; overflow-x: auto; }
.inspector table { border-collapse: collapse; margin: .25rem 0 .75rem; }
.inspector th, .inspector td { border: 1px solid #d0d7de; padding: .2rem .5rem; vertical-align: top; text-align: left; }
.inspector td.right { text-align: right; }
.inspector details.section { border-left: 3px solid #0969da; padding-left: .75rem; margin: 1rem 0; }
.inspector details.border-bad { border-color: #cf222e; } .inspector details.border-warn { border-color: #bf8700; }
.inspector details.border-dim { border-color: #8c959f; }
.inspector .verdict { font-weight: 600; font-size: 1.1rem; }
.inspector .strong { font-weight: 600; } .inspector .dim { color: #656d76; }
.inspector .good, .inspector .verdict.ok { color: #1a7f37; } .inspector .bad, .inspector .verdict.failed { color: #cf222e; }
.inspector .severe { color: #fff; background: #cf222e; font-weight: 600; padding: 0 .2rem; }
.inspector .warn { color: #9a6700; } .inspector .accent { color: #0550ae; } .inspector .emphasis { color: #8250df; }
.inspector mark { background: #fff8c5; }
.inspector a.find { color: inherit; text-decoration: underline dotted; }
.inspector thead th { cursor: pointer; } .inspector th[data-sorted="down"]::after { content: " ▾"; }
.inspector th[data-sorted="up"]::after { content: " ▴"; }
@media (prefers-color-scheme: dark) {
  .inspector { color: #e6edf3; background: #0d1117; } .inspector pre { background: #161b22; }
  .inspector th, .inspector td { border-color: #30363d; } .inspector .dim { color: #8d96a0; }
  .inspector .good, .inspector .verdict.ok { color: #3fb950; } .inspector .bad, .inspector .verdict.failed { color: #f85149; }
  .inspector .warn { color: #d29922; } .inspector .accent { color: #79c0ff; } .inspector .emphasis { color: #d2a8ff; }
  .inspector mark { background: #5a4a00; color: inherit; }
}
.inspector details.section > summary { cursor: pointer; list-style-position: outside; }
.inspector details.section > summary > * { display: inline; }
.inspector li > details > summary { cursor: pointer; }
.inspector button.show-all { font: inherit; font-size: .9em; margin-left: .5rem; cursor: pointer; }
@media print { .inspector button.show-all { display: none; } }
.inspector .search { position: sticky; top: 0; background: inherit; padding: .4rem 0; z-index: 1; }
.inspector .search input { width: min(36rem, 100%); font: inherit; padding: .25rem .5rem; }
.inspector .filters select { font: inherit; padding: .15rem .3rem; }
.inspector .hit { outline: 2px solid #bf8700; background: #fff8c5; }
@media (prefers-color-scheme: dark) { .inspector .hit { background: #5a4a00; } }
@media print { .inspector details.section { break-inside: avoid; } .inspector .search, .inspector .filters { display: none; } }
"""

#: The standalone page's own: the canvas around the report and the browser's controls (the search box)
#: follow the light or dark scheme too. A notebook's fragment leaves its host's page alone.
PAGE_STYLE = """
html { background: #fff; color-scheme: light dark; }
@media (prefers-color-scheme: dark) { html { background: #0d1117; } }
.inspector .search input, .inspector .filters select { background: Field; color: FieldText; border: 1px solid #8c959f; }
"""

#: The page's one script: search over every line the page shows (names, op types, files and lines). It
#: reads the page's own text, fetches nothing, and is allowed by its hash alone (no inline script else).
SEARCH_SCRIPT = """
(() => {
  const root = document.querySelector(".inspector");
  const box = document.getElementById("inspector-search");
  const said = document.getElementById("inspector-hits");
  const list = document.getElementById("inspector-hit-list");
  const units = Array.from(root.querySelectorAll(".unit"));
  // A table row reads as its cells, apart: no hit across the border of two, none listed as "MatMul42".
  const textOf = (unit) => unit.cells ? Array.from(unit.cells, (cell) => cell.textContent.trim()).join("  ") : unit.textContent;
  units.forEach((unit, index) => { if (!unit.id) unit.id = "u" + index; });
  const island = document.getElementById("inspector-ops");
  let ops = null;  // every op of the model, parsed on the first search
  const shown = 50;
  const place = new Map();  // function -> the first line of the page that names it
  const placeOf = (name) => {
    if (!place.has(name)) place.set(name, units.find((unit) => unit.textContent.includes(name)) || null);
    return place.get(name);
  };
  const entry = (text, target) => {
    const item = document.createElement("li");
    if (target) {
      const link = document.createElement("a");
      link.href = "#" + target.id;
      link.textContent = text;
      item.append(link);
    } else {
      item.textContent = text;
    }
    list.append(item);
  };
  const search = () => {
    const wanted = box.value.trim().toLowerCase();
    root.querySelectorAll(".hit").forEach((unit) => unit.classList.remove("hit"));
    list.replaceChildren();
    if (!wanted) { said.textContent = ""; return; }
    const hits = units.filter((unit) => textOf(unit).toLowerCase().includes(wanted));
    for (const unit of hits) {
      unit.classList.add("hit");
      for (let open = unit.closest("details"); open; open = open.parentElement.closest("details")) open.open = true;
    }
    for (const unit of hits.slice(0, shown)) entry(textOf(unit).trim().slice(0, 160), unit);
    let found = 0;
    if (island) {
      ops = ops || JSON.parse(island.textContent);
      for (const [name, type, fn, site] of ops.o) {
        const func = ops.f[fn], where = site < 0 ? "" : ops.s[site];
        const text = ops.t[type] + "  " + name + "@" + func + (where ? "  " + where : "");
        if (!text.toLowerCase().includes(wanted)) continue;
        found += 1;
        if (found <= shown) entry(text, placeOf(ops.f[ops.p[fn]]));
      }
    }
    said.textContent = hits.length + " on the page, " + found + " ops" + (hits.length > shown || found > shown ? " (the first " + shown + " of each listed)" : "");
  };
  box.addEventListener("input", search);
  // A name in a finding links to `#find=NAME`: every line of the page and every op that names it.
  const follow = () => {
    // A link to a section of the page (a rule's documentation) opens it, and the sections around it.
    const target = location.hash.length > 1 && !location.hash.startsWith("#find=") ? document.getElementById(location.hash.slice(1)) : null;
    if (target) {
      for (let open = target.closest("details"); open; open = open.parentElement.closest("details")) open.open = true;
      target.scrollIntoView();
      return;
    }
    if (!location.hash.startsWith("#find=")) return;
    try { box.value = decodeURIComponent(location.hash.slice(6)); } catch (error) { return; }  // a mangled link
    search();
    box.scrollIntoView();
  };
  window.addEventListener("hashchange", follow);
  follow();
  // A table cut at its first rows lists them all from the op index: each op type, its nodes and the
  // functions holding it (an op of a graph serialized in a constant is not one of the model's).
  for (const button of root.querySelectorAll("button.show-all")) {
    if (!island) { button.remove(); continue; }
    button.addEventListener("click", () => {
      ops = ops || JSON.parse(island.textContent);
      const counts = new Map(), holders = new Map();
      for (const [, type, fn] of ops.o) {
        if (ops.p[fn] !== fn) continue;
        counts.set(type, (counts.get(type) || 0) + 1);
        if (!holders.has(type)) holders.set(type, new Set());
        holders.get(type).add(fn);
      }
      const rows = Array.from(counts, ([type, count]) => [ops.t[type], count, holders.get(type).size]);
      rows.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const note = button.parentElement, table = note.previousElementSibling;
      table.tBodies[0].replaceChildren(...rows.map((row) => {
        const tr = document.createElement("tr");
        tr.className = "unit";
        row.forEach((value, column) => {
          const td = document.createElement("td");
          if (column) { td.className = "right"; td.textContent = String(value); }
          else { const code = document.createElement("code"); code.textContent = value; td.append(code); }
          tr.append(td);
        });
        return tr;
      }));
      note.textContent = "All " + rows.length + " op types, listed from the page's op index.";
    });
  }
  // A table with filters: a choice of each filtered column's values above it; a row shows when it has
  // every value chosen. The values are the cells' own text, set as text.
  for (const table of root.querySelectorAll("table[data-filters]")) {
    const bar = document.createElement("p");
    bar.className = "filters";
    const chosen = new Map();
    const apply = () => {
      let showing = 0;
      for (const row of table.tBodies[0].rows) {
        row.hidden = Array.from(chosen).some(([column, value]) => value && row.cells[column].textContent.trim() !== value);
        showing += row.hidden ? 0 : 1;
      }
      count.textContent = showing + " of " + table.tBodies[0].rows.length + " shown";
    };
    for (const column of table.dataset.filters.split(",").map(Number)) {
      const values = new Set(Array.from(table.tBodies[0].rows, (row) => row.cells[column].textContent.trim()));
      const select = document.createElement("select");
      select.setAttribute("aria-label", "filter by " + table.tHead.rows[0].cells[column].textContent);
      const any = document.createElement("option");
      any.value = "";
      any.textContent = table.tHead.rows[0].cells[column].textContent + ": all";
      select.append(any);
      for (const value of Array.from(values).sort()) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        select.append(option);
      }
      select.addEventListener("change", () => { chosen.set(column, select.value); apply(); });
      bar.append(select, " ");
    }
    const count = document.createElement("span");
    count.className = "dim";
    bar.append(count);
    table.before(bar);
    apply();
  }
  // A table sorts by the column whose header is clicked; again, the other way. Numbers as numbers.
  for (const header of root.querySelectorAll("thead th")) {
    header.title = "sort by this column";
    header.addEventListener("click", () => {
      const table = header.closest("table"), body = table.tBodies[0];
      const column = Array.from(header.parentElement.children).indexOf(header);
      const down = header.dataset.sorted !== "down";
      table.querySelectorAll("thead th").forEach((other) => delete other.dataset.sorted);
      header.dataset.sorted = down ? "down" : "up";
      const key = (row) => (row.cells[column] ? row.cells[column].textContent.trim() : "");
      const rows = Array.from(body.rows);
      const numeric = rows.every((row) => key(row) === "" || !isNaN(Number(key(row).replaceAll(",", ""))));
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        // Names in code-point order, as every other listing of the report has them (not the browser's locale).
        const order = numeric ? Number(x.replaceAll(",", "")) - Number(y.replaceAll(",", "")) : x < y ? -1 : x > y ? 1 : 0;
        return down ? -order : order;
      });
      body.append(...rows);
    });
  }
})();
"""


def _script_hash(script: str) -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


_DOCUMENT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; form-action 'none'; base-uri 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
<style>{style}{page_style}</style>
</head>
<body>
{body}
{island}<script>{script}</script>
</body>
</html>
"""


def render_fragment(
    result: CommandResult, options: RenderOptions | None = None, *, compact: bool = False
) -> str:
    """The page as one `<div>` with its own styles, for a notebook cell (`_repr_html_`). `compact`: the
    verdict and the first section (the overview, an audit's glance) open, every other section folded, so
    a cell shows a summary a screen high and the details a click away."""
    document = _page(result, options)
    if compact:
        document = _folded_after_first(document)
    return f"<style>{STYLE}</style>\n{_body(document, options or RenderOptions())}"


def _folded_after_first(document: Page) -> Page:
    body = list(document.body)
    first = next((i for i, block in enumerate(body) if isinstance(block, Section)), len(body))
    for i in range(first + 1, len(body)):
        block = body[i]
        if isinstance(block, Section):
            body[i] = block._replace(folded=True)
    return document._replace(body=tuple(body))


def render_page(result: CommandResult, options: RenderOptions | None = None) -> str:
    """A whole HTML document, its title naming the command and the model."""
    document = _page(result, options)
    title = f"inspector {result.kind} · {visible(plain_text(document.title))}"
    return _DOCUMENT.format(
        title=html.escape(title),
        style=STYLE,
        page_style=PAGE_STYLE,
        body=_body(document, options or RenderOptions(), search=True),
        island=_island(document),
        script=SEARCH_SCRIPT,
        script_hash=_script_hash(SEARCH_SCRIPT),
    )


def _island(document: Page) -> str:
    """Every op of the model as JSON the search reads (a data block: it never runs). `<` is escaped, so
    no model string can close the block; the strings are the model's, exactly (the script sets them as
    text, never as markup)."""
    if document.ops is None:
        return ""
    index = document.ops
    data = json.dumps(
        {"f": index.functions, "p": index.places, "t": index.op_types, "s": index.sites, "o": index.ops},
        ensure_ascii=True,
        separators=(",", ":"),
    ).replace("<", "\\u003c")
    return f'<script type="application/json" id="inspector-ops">{data}</script>\n'


def _page(result: CommandResult, options: RenderOptions | None) -> Page:
    chosen = options or RenderOptions()
    return page_of(result, stat=chosen.stat, verbose=chosen.verbose, max_per_rule=chosen.max_per_rule)


_SEARCH = """<div class="search">
<input type="search" id="inspector-search" placeholder="Search names, op types, files and lines" aria-label="Search the page">
<span id="inspector-hits" class="dim" aria-live="polite"></span>
<ul id="inspector-hit-list"></ul>
</div>"""


def _body(document: Page, options: RenderOptions, search: bool = False) -> str:
    """The page's HTML; `search` adds the search box the document's script drives (a notebook's
    fragment runs no script)."""
    verdict = "ok" if document.ok else "failed"
    out = [
        '<div class="inspector">',
        f"<h1>{inline(document.title)}</h1>",
        *([f'<p class="about">{inline(document.about)}</p>'] if document.about else []),
        f'<p class="verdict {verdict}">{_escape(document.headline)}</p>',
        f'<p class="dim">{_escape(document.exit_meaning)}</p>',
        *([_SEARCH] if search else []),
    ]
    for block in document.blocks(options.quiet, html=True):
        out += write(block, level=2, linked=search)
    if not options.quiet:
        out.append(f"<p>{inline(document.summary)}</p>")
    out.append("</div>")
    return "\n".join(out)


def _escape(text: str) -> str:
    return html.escape(visible(text), quote=True)


def inline(spans: Line, linked: bool = False, anchors: bool = False) -> str:
    """Spans as HTML; `linked`: each name a link that searches the page for it (`#find=NAME`), and each
    anchor a link to its section; `anchors`: the anchors alone (a table's cells)."""
    out = []
    for span in spans:
        text = _escape(span.text)
        # One name (a node, a function, a file:line), not a phrase listing several.
        if span.anchor and (linked or anchors):
            text = f'<a href="#{html.escape(span.anchor, quote=True)}"><code>{text}</code></a>'
        elif span.name and linked and span.text and not any(c.isspace() for c in span.text):
            target = html.escape(quote(span.text, safe=""), quote=True)
            text = f'<a class="find" href="#find={target}"><code>{text}</code></a>'
        elif span.name:
            text = f"<code>{text}</code>"
        out.append(text if span.tone == "plain" else f'<span class="{span.tone.value}">{text}</span>')
    return "".join(out)


def write(block: Block, level: int, linked: bool = False) -> list[str]:
    """A block as HTML; `linked`: names in entries link to a search for them (a page whose script runs)."""
    if isinstance(block, Paragraph):
        tone = "" if block.tone == "plain" else f" {block.tone.value}"
        return [f'<p class="unit{tone}">{inline(block.text)}</p>']
    if isinstance(block, KeyValues):
        rows = (
            f'<tr class="unit"><th>{_escape(key)}</th><td>{inline(value)}</td></tr>'
            for key, value in block.rows
        )
        return ["<table>", *rows, "</table>"]
    if isinstance(block, Table):
        return _table(block, linked)
    if isinstance(block, Tree):
        return list(_tree(block))
    if isinstance(block, Entries):
        return _entries(block, level, linked)
    if isinstance(block, Code):
        return [
            "<pre>" + "\n".join(f'<span class="unit">{inline(row)}</span>' for row in block.lines) + "</pre>"
        ]
    if isinstance(block, Source):
        rows = (
            f"<mark>{_escape(gutter + row)}</mark>" if gutter.startswith("❱") else _escape(gutter + row)
            for gutter, row in numbered(block)
        )
        return ['<pre class="source">' + "\n".join(rows) + "</pre>"]
    if isinstance(block, Section):
        # Open (unless the page folds it), folded with a click: readable without script, and a long page
        # reads by its titles.
        tone = "" if block.tone == "plain" else f" border-{block.tone.value}"
        heading = min(level, 6)
        opened = "" if block.folded else " open"
        anchor = f' id="{html.escape(block.anchor, quote=True)}"' if block.anchor else ""
        lines = [
            f'<details{opened}{anchor} class="section{tone}">',
            f"<summary><h{heading}>{inline(block.title)}</h{heading}></summary>",
        ]
        for inner in block.blocks:
            lines += write(inner, level + 1, linked)
        return [*lines, "</details>"]
    raise TypeError(f"no HTML for {type(block).__name__}")


def _table(block: Table, linked: bool = False) -> list[str]:
    """A table; cut at MAX_ITEMS, with a button that lists every row from the page's data when it has
    them (`linked`: a page whose script runs)."""
    if not block.rows:
        return [f'<p class="dim">{_escape(block.empty)}</p>']
    head = "".join(f"<th>{_escape(c.header)}</th>" for c in block.columns)
    rows = []
    for row in block.rows:
        cells = (
            f"<td{' class=right' if column.align == 'right' else ''}>"
            + "<br>".join(inline(item, anchors=linked) for item in cell)
            + "</td>"
            for column, cell in zip(block.columns, row, strict=False)
        )
        rows.append('<tr class="unit">' + "".join(cells) + "</tr>")
    button = (
        f' <button type="button" class="show-all" data-full="{block.full}">list them all here</button>'
        if linked and block.full
        else ""
    )
    rest = [f"<p>{inline(block.rest)}{button}</p>"] if block.rest else []
    filters = f' data-filters="{",".join(map(str, block.filters))}"' if linked and block.filters else ""
    return [
        f"<table{filters}>",
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        *rest,
    ]


def _tree(root: Tree) -> Iterator[str]:
    """Nested lists, depth first without recursion: a closing tag is pushed as its own step. A node with
    children folds: a call tree reads from its entry points down."""
    yield f'<p class="unit">{inline(root.label)}</p>'
    yield "<ul>"
    stack: list[Tree | str] = ["</ul>", *reversed(root.children)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
            continue
        if item.children:  # folds with a click, open to begin with (readable without script)
            yield f'<li><details open><summary><span class="unit">{inline(item.label)}</span></summary><ul>'
            stack += ["</ul></details></li>", *reversed(item.children)]
        else:
            yield f'<li><span class="unit">{inline(item.label)}</span></li>'


def _entries(block: Entries, level: int, linked: bool) -> list[str]:
    """Findings, problems, ops; `linked`, each name in them links to a search for it (a whole page's
    script follows the link; a notebook's fragment, which runs none, keeps plain names)."""
    lines = ["<ul>"]
    for entry in block.entries:
        label = f"{inline(entry.label)} " if entry.label else ""
        lines.append(f'<li><span class="unit">{label}{inline(entry.head, linked)}</span>')
        for detail in entry.details:
            if isinstance(detail, Block):
                lines += write(detail, level + 1, linked)
            else:
                lines.append(f'<div class="unit">{inline(detail, linked)}</div>')
        lines.append("</li>")
    return [*lines, "</ul>"]
