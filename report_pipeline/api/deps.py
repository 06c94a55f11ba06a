"""FastAPI dependencies: the shared context, authentication and the RBAC check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Lock
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from report_pipeline.api.auth import AuthenticationFailed, Principal, authenticate
from report_pipeline.api.config import ApiConfig
from report_pipeline.api.errors import ApiError
from report_pipeline.api.launcher import RunLauncher
from report_pipeline.api.permissions import OWN, Grant, grant_for
from report_pipeline.appdb.audit import AuditEvent
from report_pipeline.appdb.scopes import ALL
from report_pipeline.appdb.store import AppStore
from report_pipeline.settings import Settings
from report_pipeline.storage.catalog import DocumentCatalog
from report_pipeline.storage.object_store import ObjectStore

T = TypeVar("T")


@dataclass
class ApiContext:
    """Everything the routes use; built once per app (tests pass their own parts)."""

    settings: Settings
    store: AppStore
    config: ApiConfig
    launcher: RunLauncher
    open_catalog: Callable[[], DocumentCatalog]
    open_object_store: Callable[[], ObjectStore]
    _lock: Lock = field(default_factory=Lock)
    _opened: dict[str, Any] = field(default_factory=dict)

    def _once(self, name: str, open_it: Callable[[], T]) -> T:
        """Open `name` on first use (the app starts without the catalog or object store)."""
        with self._lock:
            if name not in self._opened:
                self._opened[name] = open_it()
            return self._opened[name]

    @property
    def catalog(self) -> DocumentCatalog:
        return self._once("catalog", self.open_catalog)

    @property
    def object_store(self) -> ObjectStore:
        return self._once("object_store", self.open_object_store)


def get_context(request: Request) -> ApiContext:
    return request.app.state.context


def audit_event(request: Request) -> AuditEvent:
    return request.state.audit


_bearer = HTTPBearer(auto_error=False, description="JWT with `roles` (and `email`) claims")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="service API key")


@dataclass(frozen=True)
class Access:
    principal: Principal
    grant: Grant

    def require_owner(self, email: str) -> None:
        """A subscriber-only grant reaches its own address and nothing else."""
        if self.grant == OWN and self.principal.email != email:
            raise ApiError(403, "subscribers may only change their own subscription")

    def require_scope(self, scope: str) -> None:
        """A subscriber-only grant reaches its own customer's scope (never `all` when it has
        one); a subscriber without a `customer` claim keeps today's `all` only."""
        if self.grant != OWN:
            return
        allowed = self.principal.customer or ALL
        if scope != allowed:
            raise ApiError(403, f"this subscriber may only subscribe to the scope {allowed!r}")


def authorize(
    request: Request,
    context: Annotated[ApiContext, Depends(get_context)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> Access:
    """Authenticate, then look the route up in the role table: no rule, no access."""
    event = audit_event(request)
    authorization = (
        f"{bearer.scheme} {bearer.credentials}"
        if bearer
        else (request.headers.get("authorization"))
    )
    try:
        principal = authenticate(
            authorization,
            api_key,
            context.store,
            context.config.jwt,
            context.settings.delivery.allow_special_use_domains,
        )
    except AuthenticationFailed as error:
        raise ApiError(401, str(error), headers={"WWW-Authenticate": "Bearer"}) from None
    event.actor, event.role = principal.actor, principal.role_label
    route = request.scope.get("route")
    grant = grant_for(request.method, getattr(route, "path", ""), principal.roles)
    if grant is None:
        raise ApiError(403, f"role {principal.role_label!r} may not {request.method} this resource")
    return Access(principal, grant)


Context = Annotated[ApiContext, Depends(get_context)]
Authorized = Annotated[Access, Depends(authorize)]
Audit = Annotated[AuditEvent, Depends(audit_event)]
