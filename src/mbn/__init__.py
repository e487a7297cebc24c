"""Mon Bureau Numérique: the project kernel."""
