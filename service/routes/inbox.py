"""Inbox (我的待办) and coverage routes."""

from fastapi import APIRouter

router = APIRouter(tags=["read models"])
