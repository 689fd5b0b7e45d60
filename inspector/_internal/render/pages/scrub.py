"""`inspector scrub`'s page: what was written and what paths remain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector._internal.render.pagemodel import (
    Block,
    Paragraph,
    Span,
    Tone,
    dim,
    line,
    name,
)
from inspector._internal.render.words import plural

if TYPE_CHECKING:  # annotations: each command's page imports only the result type it draws
    from inspector.results.scrub import ScrubResult

from inspector._internal.render.pages.common import (
    Parts,
    titled,
)


def scrub_page(result: ScrubResult) -> Parts:
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
    return titled("Scrubbed copy", result.output), [Paragraph(written), *remaining], remaining, summary
