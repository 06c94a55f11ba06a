"""The HTTP API: FastAPI app, auth and RBAC, audit, run launching."""
