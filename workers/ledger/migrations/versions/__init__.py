"""Revisions, oldest first by `down_revision`; a package so that installs ship them."""
