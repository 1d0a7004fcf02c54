"""A person's full export: everything plexnav holds about them, as JSON and PDFs in a zip.

What is in it: the account (``account.json``), each case the person owns with every stored
assessment and its diary (``cases/<id>/case.json``, ``assessments.json``, ``diary.json``)
and the appointment summary of its latest assessment (``cases/<id>/summary.pdf``), the
people they share with (``shares.json``) and the audit events about them
(``audit.json``: who read or changed their data).  Reading it is audit-logged like any read.
"""

from __future__ import annotations

import io
import json
import zipfile

from plexnav.store.diarybook import Diarybook
from plexnav.store.models import User
from plexnav.store.schemas import UserPublic

README = """This is everything plexnav holds about you, exported on your request.
account.json  your account; shares.json  who you share with; audit.json  who read or changed your data
cases/<id>/   each of your cases: case.json, assessments.json (every assessment), diary.json,
              summary.pdf (the appointment summary of the latest assessment)
plexnav supports clinical judgement; it never replaces it.
"""


def _json(data) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()


def export_zip(book: Diarybook, user: User, with_pdfs: bool = True) -> bytes:
    from plexnav.reports import render_pdf

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("account.json", _json(UserPublic.model_validate(user).model_dump(mode="json")))
        archive.writestr(
            "shares.json", _json([s.model_dump(mode="json") for s in book.list_shares(include_ended=True)])
        )
        for summary in book.list_cases():
            if summary.owner.id != user.id:
                continue
            case = book.read(summary.id)
            folder = f"cases/{case.id}"
            archive.writestr(f"{folder}/case.json", _json(case.model_dump(mode="json", exclude={"latest_assessment"})))
            records = [book.assessment(case.id, a.id).model_dump(mode="json") for a in book.history(case.id)]
            archive.writestr(f"{folder}/assessments.json", _json(records))
            diary = book.diary(case.id)
            archive.writestr(f"{folder}/diary.json", _json(diary.model_dump(mode="json")))
            if with_pdfs and case.latest_assessment is not None:
                pdf = render_pdf(
                    case.case, "patient", case.latest_assessment.assessment, diary if diary.entries else None
                )
                archive.writestr(f"{folder}/summary.pdf", pdf)
        archive.writestr("audit.json", _json([e.model_dump(mode="json") for e in book.audit_log(limit=100000)]))
    return buffer.getvalue()
