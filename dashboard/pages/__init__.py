"""The dashboard pages, imported by `dashboard.app.create_app`."""
