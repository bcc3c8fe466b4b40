"""``GET /exports/{kind}.xlsx`` and ``.csv``: the CLI's exports for signed-in users.

``?county=CODE`` names the county; ``year`` (statistics), ``standard`` and ``period``
(assessments) as for ``xieshang export``. Who may download what is decided by
:func:`xieshang.domain.policy.may_export`; members' phones are shown exactly as the GraphQL API
shows them to the same viewer (:func:`xieshang.domain.policy.personal_data`).
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from xieshang.domain import audit, spreadsheets
from xieshang.domain.calendar import local_today
from xieshang.domain.policy import Viewer, may_export, personal_data
from xieshang.domain.privacy import mask_phone, shown
from xieshang.errors import ValidationFailed

_MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def _audit(
    request: Request,
    viewer: Viewer,
    name: str,
    code: str,
    county_id: int | None,
    *,
    success: bool,
) -> None:
    state = request.scope.get("state", {})
    event = audit.event(
        viewer,
        f"export.{name.rpartition('.')[0]}",
        success=success,
        origin=audit.Origin(state.get("client_address"), state.get("request_id")),
        target=f"{name}?county={code}",
        county_id=county_id,
    )
    await audit.record_alone(request.app.state.writes, event)


async def export_endpoint(request: Request) -> Response:
    """Serve one export, or a JSON error (401 anonymous, 403 refused, 400/404 bad parameters)."""
    name = request.path_params["name"]
    kind, _, fmt = name.rpartition(".")
    if fmt not in _MEDIA or kind not in spreadsheets.EXPORT_KINDS:
        return _error(404, "NOT_FOUND", f"没有这个导出：{name}")
    viewer: Viewer = request.scope.get("state", {}).get("viewer") or Viewer.anonymous()
    if viewer.is_anonymous:
        return _error(401, "UNAUTHENTICATED", "请先登录（Authorization: Bearer <访问令牌>）")
    code = request.query_params.get("county", "").strip()
    if not code:
        return _error(400, "REQUIRED", "请用 ?county= 指定行政区划代码")
    year_text = request.query_params.get("year")
    try:
        year = int(year_text) if year_text else None
    except ValueError:
        return _error(400, "INVALID_VALUE", f"年度应为整数，收到 {year_text!r}")
    state = request.app.state
    async with state.sessions() as session:
        try:
            county = await spreadsheets.county_by_code(session, code)
        except ValidationFailed:
            county = None
        allowed = county is not None and may_export(viewer, kind, county.id)
    if county is None or not allowed:
        await _audit(request, viewer, name, code, county.id if county else None, success=False)
        # Another county's export is refused like a missing one: nothing is revealed.
        return _error(403, "FORBIDDEN", "无权导出该县的数据")
    async with state.sessions() as session:
        access = personal_data(viewer, county.id)
        try:
            title, header, rows = await spreadsheets.export_table(
                session,
                spreadsheets.ExportRequest(
                    kind,
                    code,
                    year=year,
                    standard=request.query_params.get("standard"),
                    period=request.query_params.get("period"),
                ),
                rules=state.rules,
                today=local_today(state.settings.zone),
                phone=lambda phone: shown(phone, access, mask_phone),
            )
        except ValidationFailed as exc:
            return _error(400, exc.errors[0].code, exc.message)
    # Rosters carry personal data: every download is in the audit trail.
    await _audit(request, viewer, name, code, county.id, success=True)
    body = spreadsheets.encode(fmt, title, header, rows)
    filename = quote(f"{code}-{kind}.{fmt}")
    return Response(
        body,
        media_type=_MEDIA[fmt],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{filename}",
            "Cache-Control": "no-store",
        },
    )
