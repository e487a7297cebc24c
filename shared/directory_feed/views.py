"""Collectivity admin: import of the académie directory (AAF) from an uploaded archive, with progress."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mbn.errors import DomainError
from shared.accounts.models import Account
from shared.directory_feed import selectors, services
from shared.directory_feed.forms import AafUploadForm
from shared.directory_feed.models import AafImportRun


def _viewer(request: HttpRequest) -> Account:
    # DenyByDefaultMiddleware lets only logged-in accounts reach these pages.
    return cast(Account, request.user)


def import_list(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = AafUploadForm(request.POST or None, request.FILES or None)
    error = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["archive"]
            try:
                run = services.import_run_request(actor=viewer, upload=upload, file_name=upload.name)
            except DomainError as exc:
                error, status = exc.message, exc.status
            else:
                return redirect("directory_feed:import_detail", run_id=run.pk)
        else:
            status = 400
    context = {
        "form": form,
        "error": error,
        "runs": selectors.import_run_list_for(viewer=viewer)[:20],
        "uais": selectors.uais_importable_by(viewer=viewer),
    }
    return render(request, "directory_feed/import_list.html", context, status=status)


def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        run = selectors.import_run_get_for(viewer=_viewer(request), run_id=run_id)
    except AafImportRun.DoesNotExist:
        return render(request, "errors/not_found.html", status=404)
    template = "directory_feed/_import_progress.html" if request.htmx else "directory_feed/import_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"run": run})
