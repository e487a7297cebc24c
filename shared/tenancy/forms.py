from __future__ import annotations

from typing import Any

from django import forms

from shared.catalogue.models import Establishment
from shared.catalogue.registry import DEPARTEMENTS, ESTABLISHMENT_KIND_CHOICES
from shared.collectivites.models import Collectivite
from shared.tenancy.models import SchoolStatus


class SchoolFilterForm(forms.Form):
    departement = forms.ChoiceField(
        label="Département",
        required=False,
        choices=[("", "Tous")] + [(d.code, f"{d.code} – {d.name}") for d in DEPARTEMENTS],
    )
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Tous"), *ESTABLISHMENT_KIND_CHOICES]
    )
    status = forms.ChoiceField(label="État", required=False, choices=[("", "Tous"), *SchoolStatus.choices])
    search = forms.CharField(label="Nom ou UAI", required=False, max_length=100)


class WaveForm(forms.Form):
    collectivite = forms.ModelChoiceField(label="Collectivité", queryset=Collectivite.objects.none())
    code = forms.SlugField(label="Code de la vague", max_length=40)
    name = forms.CharField(label="Nom", max_length=120)
    target_on = forms.DateField(
        label="Date d'ouverture visée", widget=forms.DateInput(attrs={"type": "date"})
    )
    establishments = forms.ModelMultipleChoiceField(
        label="Établissements", queryset=Establishment.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, collectivites: Any, establishments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collectivite"].queryset = collectivites  # type: ignore[attr-defined]
        self.fields["establishments"].queryset = establishments  # type: ignore[attr-defined]


class SuspendForm(forms.Form):
    reason = forms.CharField(label="Motif", max_length=300)
