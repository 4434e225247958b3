"""Package layout: the repo-root folders tasks/, baselines/ and reference_model/ install as
sub-packages of gazebench, so no top-level import name collides with PyPI (e.g. `baselines`)."""
from setuptools import find_packages, setup

ROOTS = {
    "gazebench": "gazebench",
    "gazebench.tasks": "tasks",
    "gazebench.baselines": "baselines",
    "gazebench.reference_model": "reference_model",
}
packages: list[str] = []
for name, folder in ROOTS.items():
    packages += [name] + [f"{name}.{sub}" for sub in find_packages(folder)]
setup(packages=packages, package_dir=ROOTS)
