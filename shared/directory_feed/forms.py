from __future__ import annotations

from django import forms


class AafUploadForm(forms.Form):
    archive = forms.FileField(
        label="Archive .zip des fichiers AAF",
        help_text=(
            "Export complet ou delta de l'académie (fichiers …_EtabEducNat_0000.xml, …_Eleve_0000.xml…)."
        ),
    )
