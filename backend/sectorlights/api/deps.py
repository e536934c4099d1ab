"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sectorlights.engine.container import Container
from sectorlights.engine.service import AnalysisService


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_analysis(request: Request) -> AnalysisService:
    return get_container(request).analysis


ContainerDep = Annotated[Container, Depends(get_container)]
AnalysisDep = Annotated[AnalysisService, Depends(get_analysis)]
