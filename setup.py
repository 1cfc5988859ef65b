"""Packaging beyond what pyproject.toml can say: the Alembic scripts kept in ``migrations/`` at
the top of the repository are installed inside the package as ``app.alembic``, so a plain
``pip install .`` or a wheel can migrate its database."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["app", "app.*"], exclude=["*.__pycache__"]),
        "app.alembic",
        "app.alembic.versions",
    ],
    package_dir={"app.alembic": "migrations"},
)
