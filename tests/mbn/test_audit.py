from __future__ import annotations

from typing import Any

from mbn.audit import audit_record, client_ip_var
from mbn.audit.models import AuditEvent
from mbn.audit.selectors import audit_event_list, audit_events_csv
from tests.shared.accounts.factories import make_account


def test_audit_rows_keep_the_actor_label_and_the_request_address(school_a: Any) -> None:
    # given an actor and a request address
    actor = make_account(username="auditee", first_name="Ada", last_name="Lovelace")
    token = client_ip_var.set("198.51.100.4")
    try:
        with school_a.active():
            # when an action is recorded in school A
            audit_record(actor=actor, action="grade.changed", target=actor, data={"from": 12, "to": 14})
            event = AuditEvent.objects.get(action="grade.changed")
    finally:
        client_ip_var.reset(token)
    # then who, what, from where, and the label survives the account
    assert (event.actor_id, event.actor_label, event.ip) == (actor.pk, "Ada Lovelace", "198.51.100.4")
    assert event.data == {"from": 12, "to": 14}
    actor.delete()
    with school_a.active():
        assert AuditEvent.objects.get(pk=event.pk).actor_label == "Ada Lovelace"


def test_audit_filters_and_csv(school_a: Any, school_b: Any) -> None:
    with school_b.active():
        audit_record(actor=None, action="absence.recorded")
    with school_a.active():
        audit_record(actor=None, action="absence.recorded")
        audit_record(actor=None, action="grade.changed")
        absences = list(audit_event_list(action="absence."))
        body = audit_events_csv(audit_event_list())
    assert [event.action for event in absences] == ["absence.recorded"]
    assert body.splitlines()[0] == "Date;Auteur;Action;Type d'objet;Identifiant;Objet;Adresse IP"
    assert len(body.splitlines()) == 3
