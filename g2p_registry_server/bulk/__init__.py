"""Bulk onboarding of individuals: `POST /bulk/individual` and `g2p-registry import`.

Shipped with the registry as the extension named `bulk` (enabled by default, like every
installed extension), so that a deployment may leave it out and the bare registry keeps
upstream's exact set of routes. Other extensions take part in bulk imports by extending
`BulkIndividualProcessing` and `IndividualCsvLayout`, whether or not this one is enabled.
"""

from ..extensions import Extension
from .command import add_import_command
from .routers import bulk_router

extension = Extension(name="bulk", routers=(bulk_router,), commands=(add_import_command,))

__all__ = ["extension"]
