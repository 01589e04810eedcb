"""Packaging beyond pyproject.toml: the migrations stay at the top of the repository (alembic/, where Alembic's
tools and the project expect them) and ship inside the package as `concierge/migrations`, so that `concierge db
upgrade` works from an installed wheel (concierge/core/db.py `alembic_config` finds them either way)."""

from setuptools import find_namespace_packages, setup

MIGRATIONS = ["concierge.migrations", "concierge.migrations.versions"]

setup(
    # Namespace packages too: the data folders (templates, locales, phrase lists, topic lexicons) have no __init__.py.
    packages=[*find_namespace_packages(include=["concierge*", "knowledge*", "escalation*"]), *MIGRATIONS],
    package_dir={"concierge.migrations": "alembic", "concierge.migrations.versions": "alembic/versions"},
    package_data={"concierge.migrations": ["script.py.mako"]},
)
