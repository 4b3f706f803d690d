"""The upstream registry routes, one module per resource (tags "individual" and "group")."""

from .group import group_router
from .individual import individual_router

__all__ = ["group_router", "individual_router"]
