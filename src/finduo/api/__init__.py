"""The HTTP API (FastAPI): decisions, cases, outcomes, health and metrics."""

from finduo.api.app import create_app

__all__ = ["create_app"]
