"""Context switch on a school host: which child a guardian is looking at, kept in this host's session."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tenants.directory.models import Person, Role
from tenants.directory.selectors import children_of

CHILD_SESSION_KEY = "mbn_child_id"
CHILD_NOT_FOUND = "Cet enfant ne fait pas partie de vos enfants dans cet établissement."


def children_for(*, viewer: Person | None) -> QuerySet[Person]:
    """The pupils of this school the viewer is a guardian of (none for anybody else)."""
    if viewer is None or not viewer.has_role(Role.GUARDIAN):
        return Person.objects.none()
    return children_of(guardian=viewer).filter(is_active=True)


def current_child(request: HttpRequest) -> Person | None:
    """The child chosen in this session, re-checked on every use; the first child when none was chosen."""
    children = list(children_for(viewer=getattr(request, "person", None)))
    chosen = request.session.get(CHILD_SESSION_KEY)
    for child in children:
        if child.pk == chosen:
            return child
    return children[0] if children else None


def my_children(request: HttpRequest) -> dict[str, Any]:
    """Template context: the guardian's children here and the current one (lazy: queried only if shown)."""
    if getattr(request, "person", None) is None:
        return {}
    return {
        "my_children": SimpleLazyObject(lambda: list(children_for(viewer=request.person))),  # type: ignore[attr-defined]
        "current_child": SimpleLazyObject(lambda: current_child(request)),
    }


@require_POST
def child_choose(request: HttpRequest) -> HttpResponse:
    """Pick the child to look at; only one's own children of this school can be picked."""
    raw = request.POST.get("child_id", "")
    child = (
        children_for(viewer=getattr(request, "person", None)).filter(pk=int(raw)).first()
        if raw.isdigit()
        else None
    )
    if child is None:
        # Not revealed whether the id exists: a stranger's child and no child look the same.
        return render(request, "errors/not_found.html", {"message": CHILD_NOT_FOUND}, status=404)
    request.session[CHILD_SESSION_KEY] = child.pk
    target = request.POST.get("next", "/")
    if not (
        target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        target = "/"
    return HttpResponseRedirect(target)


def my_context(request: HttpRequest) -> HttpResponse:
    """ "Mon contexte": my schools (links to their hosts) and, for a guardian, my children here."""
    return render(request, "directory/my_context.html")
