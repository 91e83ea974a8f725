"""xibu-hub: the GraphQL hub of the College Students Volunteer Service Western Program (大学生志愿服务西部计划)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xibu-hub")  # one place: pyproject.toml's [project] version
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
