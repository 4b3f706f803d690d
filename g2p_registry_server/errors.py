"""Domain errors of the registry, mapped to HTTP answers centrally by the app factory.

Services raise these instead of HTTP exceptions so that they stay usable from the CLI and
from extensions; the app factory turns them into `{"detail": message}` answers.
"""


class RegistryError(Exception):
    """A business rule refused the request: 400, as upstream's registry answers."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(RegistryError):
    """The addressed resource does not exist: 404 (used by routes with HTTP semantics)."""

    status_code = 404
