"""``setup.cfg`` holds the metadata; this adds only what it cannot say.

The core's Alembic environment stays at the top of the checkout (``migrations/``, the layout
in DESIGN.md) and ships inside the wheel as ``smartapp/migrations``, where
``smartapp.lineages`` looks first. Directories of data (the scaffold's templates) are listed
as namespace packages, so setuptools packages them without asking.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["smartapp", "smartapp.*"], exclude=["*.__pycache__"]),
        "smartapp.migrations",
        "smartapp.migrations.versions",
    ],
    package_dir={"smartapp.migrations": "migrations"},
)
