"""A lean TODO server in Django + django-ninja, the benchmark's first peer."""
