from __future__ import annotations

from ninja import NinjaAPI

from mbn.api import install_error_handlers
from shared.tenancy.api import router as school_router
from tenants.directory.api import audit_router
from tenants.directory.api import router as directory_router
from tenants.directory.permissions import school_member
from tenants.ent.api import router as ent_router
from tenants.timetable.api import router as timetable_router

school_api = NinjaAPI(
    title="Mon Bureau Numérique — API établissement",
    version="1",
    urls_namespace="school_api",
    auth=school_member,
    docs_url="/docs",
)
install_error_handlers(school_api)
school_api.add_router("/school", school_router)
school_api.add_router("/ent", ent_router)
school_api.add_router("/timetable", timetable_router)
school_api.add_router("/directory", directory_router)
school_api.add_router("/audit", audit_router)
