"""Background jobs of the membership line (imports); each loads its inputs and calls a service."""
