"""`mbn demo`: embedded services, migrations, the region, demo schools and people, web server and worker."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from mbn.cli.progress import console, progress_bar, setup_django


def register(commands: Any) -> None:
    demo = commands.add_parser("demo", help="lance la démonstration (région, établissements, serveur)")
    demo.add_argument("--schools", default="12", help="nombre d'établissements, ou « all » pour les 857")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="prépare les données sans lancer le serveur")
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from shared.tenancy import services
    from shared.tenancy.demo import demo_region_setup

    with progress_bar("Migration", total=0) as advance:
        services.schemas_migrate(workers=2, on_done=advance)
    count = None if args.schools == "all" else int(args.schools)
    plan = demo_region_setup(school_count=count)
    with progress_bar("Création des espaces", total=len(plan.school_ids)) as advance:
        services.school_schemas_create(school_ids=plan.school_ids, workers=2, on_done=advance)
    demo_people_enrol(plan.school_ids)
    base = settings.MBN_BASE_DOMAIN
    console.print(
        f"\n[bold]Administration des collectivités[/bold] : http://{base}:{args.port}/collectivite/"
    )
    for login, label in plan.logins:
        console.print(
            f"  {label} : identifiant [bold]{login}[/bold], mot de passe [bold]{plan.password}[/bold]"
        )
    console.print("\n[bold]Établissements[/bold] :")
    for url, name in plan.school_urls[:20]:
        console.print(f"  {url}:{args.port}/  {name}")
    if args.no_serve:
        return 0
    return serve(port=args.port)


def demo_people_enrol(school_ids: list[int]) -> None:
    """In each demo school: a head teacher, a pupil and teachers, whose accounts log in with the demo
    password, and a small timetable to generate (the worker does it once the demo serves)."""
    from django_tenants.utils import schema_context

    from shared.catalogue.registry import LYCEE_KINDS
    from shared.tenancy.demo import demo_account
    from shared.tenancy.selectors import schools_by_ids
    from tenants.directory.models import Role
    from tenants.directory.services import person_enrol
    from tenants.timetable.demo import demo_timetable_seed
    from tenants.timetable.models import Course

    schools = list(schools_by_ids(school_ids).select_related("establishment"))
    with progress_bar("Annuaires et emplois du temps", total=len(schools)) as advance:
        for school in schools:
            with schema_context(school.schema_name):
                head_account = demo_account(
                    f"direction-{school.slug}", "Chef", f"d'établissement {school.slug.upper()}"
                )
                head = person_enrol(account=head_account, roles=[Role.DIRECTION])
                pupil_account = demo_account(
                    f"eleve-{school.slug}", "Élève", f"de démonstration {school.slug.upper()}"
                )
                pupil = person_enrol(account=pupil_account, roles=[Role.STUDENT])
                if not Course.objects.exists():  # a second `make demo` keeps what the first made
                    demo_timetable_seed(
                        head=head,
                        pupil=pupil,
                        account_for=demo_account,
                        slug=school.slug,
                        lycee=school.establishment is not None and school.establishment.kind in LYCEE_KINDS,
                    )
            advance(school.name, None)


def serve(*, port: int) -> int:
    """Web server (granian) and a Celery worker, until Ctrl-C."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mbn.settings"}
    bin_dir = os.path.dirname(sys.executable)
    worker = subprocess.Popen(  # noqa: S603 - fixed argv
        [
            os.path.join(bin_dir, "celery"),
            "-A",
            "mbn.celery",
            "worker",
            "-Q",
            "default,notifications,imports,provisioning,timetable",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
        ],
        env=env,
    )
    try:
        return subprocess.call(  # noqa: S603
            [
                os.path.join(bin_dir, "granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
                "mbn.wsgi:application",
            ],
            env=env,
        )
    except KeyboardInterrupt:
        return 0
    finally:
        worker.terminate()
        worker.wait(timeout=30)
