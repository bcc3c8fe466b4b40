"""xieshang (协商): a GraphQL service for county CPPCC consultation work ("有事来协商")."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xieshang")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
