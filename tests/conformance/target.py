"""The deployment under test: our standalone server started by the suite, or any URL given to it.

A Target knows where the registry API is, how to log in, and which reference data (ID type,
group kind, membership kind, gender) the deployment holds, so that tests never hard-code what
only our server seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from tests.conformance import exposure
from tests.conformance.figures import FIGURES
from tests.factories import Reference
from tests.support.live_server import LiveServer

API_ROOT = "/api/v1/registry"
REMOTE = "remote"
"""The ``backend`` of a run against a deployment given with --base-url."""


def api_url_of(base_url: str) -> str:
    """Accept the server's root URL or the registry API's own; answer the API's."""
    base = base_url.rstrip("/")
    return base if urlsplit(base).path.endswith(API_ROOT) else base + API_ROOT


class PasswordEchoed(AssertionError):
    pass


@dataclass(frozen=True)
class Target:
    api_url: str
    auth: tuple[str, str]
    reference: Reference
    server: LiveServer | None = None
    """The process behind the API when the suite started it; None for a remote deployment."""

    @property
    def origin(self) -> str:
        parts = urlsplit(self.api_url)
        return f"{parts.scheme}://{parts.netloc}"

    def _no_password_in(self, response: httpx.Response) -> None:
        # Every answer the suite reads is checked: the password must never come back (issue 5, item 6).
        response.read()
        if self.auth[1] in response.text or self.auth[1] in str(response.headers):
            raise PasswordEchoed(f"{response.request.method} {response.request.url.path} echoed the password")
        FIGURES.add("responses_checked_for_passwords")

    def client(self, *, auth: tuple[str, str] | bool | None = True, **kwargs) -> httpx.Client:
        """An HTTP client on the API root; ``auth=None`` sends no credentials, a tuple sends those."""
        kwargs.setdefault("timeout", 60)
        credentials = self.auth if auth is True else auth
        return httpx.Client(
            base_url=self.api_url,
            auth=credentials or None,
            event_hooks={"response": [self._no_password_in]},
            **kwargs,
        )


def local_target(server: LiveServer, reference: Reference) -> Target:
    exposure.sent_password(server.auth[1])
    return Target(api_url=server.api_url, auth=server.auth, reference=reference, server=server)
