"""Server-rendered web pages (Jinja2 templates, static CSS and a small vanilla JS file).

Nothing is fetched from elsewhere at run time: the stylesheet and script come from this
package, and the body-map SVG is drawn inline by the one renderer the printed reports use
(plexnav.reports.bodymap; plexnav.web.bodymap maps its regions to form fields).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install(app: FastAPI) -> None:
    from plexnav.web.account_pages import router as account_router
    from plexnav.web.diary_pages import router as diary_router
    from plexnav.web.guided_pages import router as guided_router
    from plexnav.web.pages import router
    from plexnav.web.paths import STATIC_DIR

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(router)
    app.include_router(diary_router)
    app.include_router(guided_router)
    app.include_router(account_router)
    from plexnav.web.smart import router as smart_router

    app.include_router(smart_router)
