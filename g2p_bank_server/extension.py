"""The bank extension of the standalone registry server.

Importing this module declares the bank tables and the extensions of the registry's schemas and
processing; the registry loads ``extension`` through its ``g2p_registry_server.extensions``
entry point, includes its routes and runs its migrations.
"""

from pathlib import Path

from g2p_registry_server.extensions import Extension

# Imported for what importing them does: tables declared, the registry's schemas and processing
# extended, bulk onboarding and CSV export columns taught about bank details.
from . import bulk, csv_columns, models, processing, schemas  # noqa: F401
from .audit_routes import router as audit_router
from .payments.command import add_export_command
from .payments.routers import router as payments_router
from .request_ids import RequestIdMiddleware
from .routers import router
from .rules.scopes import BANK_SCOPES, DESCRIPTIONS, IMPLIED_SCOPES
from .shared.command import add_report_command
from .shared.routers import router as shared_accounts_router

extension = Extension(
    name="bank",
    routers=(router, audit_router, payments_router, shared_accounts_router),
    migrations=str(Path(__file__).parent / "migrations"),
    commands=(add_export_command, add_report_command),
    middleware=(RequestIdMiddleware,),
    scopes={scope.value: DESCRIPTIONS[scope] for scope in BANK_SCOPES},
    implied_scopes={
        scope.value: [each.value for each in brought] for scope, brought in IMPLIED_SCOPES.items()
    },
)

__all__ = ["extension"]
