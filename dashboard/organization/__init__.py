"""The Organization page: the org network coloured by attitude."""
