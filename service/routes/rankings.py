"""Ranking routes (排名公示): published results of a period, ranked, as JSON or XLSX."""

from fastapi import APIRouter

router = APIRouter(tags=["read models"])
