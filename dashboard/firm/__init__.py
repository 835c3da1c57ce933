"""Your organization: a firm's own files uploaded, checked, fitted, exported."""
