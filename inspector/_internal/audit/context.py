"""What every rule is given: the view, the scope of ops to look at, and the policy."""

from __future__ import annotations

from dataclasses import dataclass

from inspector._internal.audit.policy import Policy
from inspector._internal.audit.scope import OpSite, Scope
from inspector._internal.view import SavedModelView
from inspector.results.audit import Location


@dataclass(frozen=True, slots=True)
class AuditContext:
    view: SavedModelView
    scope: Scope
    policy: Policy

    def location(self, site: OpSite) -> Location:
        return Location(
            function=site.function,
            node_key=site.node_key,
            op_type=site.op_type,
            reach=site.reach.reach,
            reached_by=site.reach.reached_by,
            nesting=site.nesting,
            source=site.trace.creation_site if site.trace else None,
            stack=site.trace.user_frames if site.trace else (),
        )
