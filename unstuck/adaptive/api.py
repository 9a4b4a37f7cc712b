"""REST endpoints of this app (mounted under /api/v1/ by unstuck/api.py)."""

from ninja import Router

router = Router()
