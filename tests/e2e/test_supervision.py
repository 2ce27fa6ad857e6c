"""Supervision (督导检查) over HTTP: attachments kept by their hash, findings on an appraisal
and on a zone, the branch's rectification (整改), histories, listings, the year's archive,
and who may do and read each."""

import hashlib
import io
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pypdf
from sqlalchemy import func, select

from store.attachments import attachments
from tests.e2e.files import pdf, png
from tests.e2e.support import assert_problem, events, nothing_recorded, opened_in
from tests.helpers import Api

MB = 1024 * 1024


def upload(api: Api, content: bytes, name: str = "现场.png", user: str = "inspector",
           **headers: str) -> Any:
    return api.post(user, "/attachments", params={"name": name}, content=content,
                    headers=headers)


def uploaded(api: Api, content: bytes, name: str = "现场.png",
             user: str = "inspector") -> dict[str, Any]:
    response = upload(api, content, name, user)
    assert response.status_code == 201, response.text
    return response.json()


def finding_body(*files: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"method": "on_site", "date": "2026-11-03", "text": "掘进工作面支护不规范",
            "attachments": list(files), **changes}


def record(api: Api, path: str, *files: dict[str, Any], user: str = "inspector",
           **changes: Any) -> dict[str, Any]:
    response = api.post(user, f"{path}/findings", json=finding_body(*files, **changes))
    assert response.status_code == 201, response.text
    return response.json()


def stored(api: Api) -> int:
    rt = api.client.app.state.runtime
    with rt.engines.reader.connect() as conn:
        return conn.execute(select(func.count()).select_from(attachments)).scalar_one()


def zone_events(api: Api, zone_id: str = "Z1") -> list[dict[str, Any]]:
    response = api.get("inspector", f"/zones/{zone_id}/history")
    assert response.status_code == 200, response.text
    return response.json()["events"]


def test_a_file_is_kept_by_its_hash_once_and_read_back_as_it_was_sent(api):
    photo, paper = png(), pdf()
    first = uploaded(api, photo)
    assert first == {"sha256": hashlib.sha256(photo).hexdigest(), "name": "现场.png",
                     "media_type": "image/png", "size": len(photo)}
    # The same bytes again, by another writer, under another name and content type: one file.
    again = upload(api, photo, "again.jpg", "secretary", **{"Content-Type": "text/plain"})
    assert again.status_code == 201
    assert again.json() == {**first, "name": "again.jpg"}
    document = uploaded(api, paper, "整改报告.pdf", "secretary")
    assert document["media_type"] == "application/pdf"
    assert stored(api) == 2
    found = record(api, "/zones/Z1", first)
    answered = api.post("secretary", f"/findings/{found['id']}/rectification",
                        json={"text": "已整改", "attachments": [document]})
    assert answered.status_code == 200, answered.text
    for sha256, content, media in ((first["sha256"], photo, "image/png"),
                                   (document["sha256"], paper, "application/pdf")):
        read = api.get("m1", f"/findings/{found['id']}/attachments/{sha256}")
        assert read.status_code == 200, read.text
        assert read.content == content
        assert hashlib.sha256(read.content).hexdigest() == sha256
        assert read.headers["content-type"] == media
        assert read.headers["content-disposition"].startswith("attachment;")
        assert read.headers["x-content-type-options"] == "nosniff"
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA.png" in api.get(
        "m1", f"/findings/{found['id']}/attachments/{first['sha256']}").headers[
        "content-disposition"]


def test_a_file_the_finding_does_not_name_is_not_found_there(api):
    named, other = uploaded(api, png(1)), uploaded(api, png(2))
    found = record(api, "/zones/Z1", named)
    for sha256 in (other["sha256"], "0" * 64, "x", named["sha256"].upper()):
        assert_problem(api.get("m1", f"/findings/{found['id']}/attachments/{sha256}"), 404)
    assert_problem(api.get("m1", f"/findings/{found['id']}x/attachments/{named['sha256']}"),
                   404)


def test_a_file_over_10_mb_is_413_however_it_is_sent_and_nothing_is_stored(api):
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (11 * MB)
    assert_problem(upload(api, big), 413)

    def chunked():
        yield big[:MB]
        for start in range(MB, len(big), MB):
            yield big[start:start + MB]

    assert_problem(upload(api, chunked()), 413)
    assert stored(api) == 0
    assert upload(api, big[:10 * MB]).status_code == 201  # exactly 10 MB is taken


def test_only_photos_and_pdfs_are_taken_whatever_they_are_called(api):
    for content in (b"<html><script>alert(1)</script></html>", b"GIF89a", b"", b"%PD"):
        assert_problem(upload(api, content, "现场.jpg", **{"Content-Type": "image/jpeg"}), 422)
    assert stored(api) == 0


def test_files_are_uploaded_by_those_who_write_findings_and_rectifications(api):
    for user in ("m1", "evaluator", "leader", "archivist"):
        assert_problem(upload(api, png(), user=user), 403)
    for user in ("inspector", "inspector2", "secretary", "admin"):
        assert upload(api, png(), user=user).status_code == 201
    assert_problem(api.client.post("/attachments", params={"name": "x.png"}, content=png()),
                   401)
    assert stored(api) == 1


def test_a_finding_on_an_appraisal_is_in_its_history_and_leaves_its_state(api):
    doc = opened_in(api, "group_review")
    photo = uploaded(api, png())
    found = record(api, f"/appraisals/{doc['id']}", photo)
    assert {k: v for k, v in found.items() if k not in ("id", "at")} == {
        "zone_id": "Z1", "appraisal_id": doc["id"], "branch_id": "B1", "period": "2026-10",
        "method": "on_site", "date": "2026-11-03", "text": "掘进工作面支护不规范",
        "attachments": [photo], "actor": "inspector", "rectification": None}
    assert found["id"].startswith(f"{doc['id']}-f")
    now = api.get("leader", f"/appraisals/{doc['id']}").json()
    assert (now["state"], now["version"], now["allowed_actions"]) == (
        "group_review", doc["version"] + 1, ["group-review", "return"])
    answered = api.post("secretary", f"/findings/{found['id']}/rectification",
                        json={"text": "已重新支护", "attachments": []})
    assert answered.status_code == 200, answered.text
    assert answered.json()["rectification"] | {"at": None} == {
        "text": "已重新支护", "attachments": [], "actor": "secretary", "at": None}
    history = events(api, doc)
    assert [(e["type"], e["actor"], e["role"], e["state"]) for e in history[-2:]] == [
        ("finding_recorded", "inspector", "inspector", "group_review"),
        ("rectification_recorded", "secretary", "branch_secretary", "group_review")]
    assert history[-2]["data"] == {"finding": found["id"], "method": "on_site",
                                   "date": "2026-11-03", "text": "掘进工作面支护不规范",
                                   "attachments": [photo]}
    assert history[-2]["at"] == found["at"] < history[-1]["at"]
    assert api.get("leader", f"/findings/{found['id']}").json() == answered.json()


def test_a_zone_finding_and_its_answer_are_the_zones_history(api):
    found = record(api, "/zones/Z1")
    with nothing_recorded(api, api.open()):  # an appraisal of the zone is not touched
        answered = api.post("admin", f"/findings/{found['id']}/rectification",
                            json={"text": "已整改"})
    assert answered.status_code == 200, answered.text
    again = api.post("secretary", f"/findings/{found['id']}/rectification",
                     json={"text": "再次整改"})
    body = assert_problem(again, 409)
    assert (body["state"], body["allowed_actions"]) == ("rectified", [])
    api.put("admin", "/zones/Z1/responsibles", json={"member_ids": ["M5"], "reason": "调整"})
    history = api.get("secretary", "/zones/Z1/history").json()
    assert [(e["type"], e["actor"], e["role"]) for e in history["events"]] == [
        ("created", "admin", None), ("finding_recorded", "inspector", "inspector"),
        ("rectification_recorded", "admin", "admin"),
        ("responsibles_reassigned", "admin", None)]
    assert [e["version"] for e in history["events"]] == [1, 2, 3, 4]
    assert history["events"][2]["data"] == {"finding": found["id"], "text": "已整改",
                                            "attachments": []}
    assert [(a["member_ids"], a["reason"]) for a in history["assignments"]] == [
        (["M1"], None), (["M5"], "调整")]
    assert history["events"][1]["at"] == found["at"]


def test_the_zone_lists_its_own_findings_and_its_appraisals_oldest_first(api):
    own = record(api, "/zones/Z1")
    on_appraisal = record(api, f"/appraisals/{api.open('Z1')['id']}")
    record(api, "/zones/Z2")
    listed = api.get("m1", "/zones/Z1/findings").json()["items"]
    assert [f["id"] for f in listed] == [own["id"], on_appraisal["id"]]
    assert listed[0] == own
    page = api.get("m1", "/zones/Z1/findings", params={"limit": 1, "offset": 1})
    assert [f["id"] for f in page.json()["items"]] == [on_appraisal["id"]]


def test_findings_are_listed_by_branch_period_and_whether_answered(api):
    z1 = record(api, "/zones/Z1", date="2026-10-30")
    november = record(api, f"/appraisals/{api.open('Z2', '2026-11')['id']}",
                      date="2026-10-31")
    z4 = record(api, "/zones/Z4", date="2026-11-02")
    api.post("secretary", f"/findings/{z1['id']}/rectification", json={"text": "已整改"})

    def ids(user: str, **query: str) -> list[str]:
        response = api.get(user, "/findings", params=query)
        assert response.status_code == 200, response.text
        return [f["id"] for f in response.json()["items"]]

    assert ids("inspector") == ids("archivist") == [z1["id"], november["id"], z4["id"]]
    assert ids("secretary") == ids("inspector", branch_id="B1") == [z1["id"], november["id"]]
    assert ids("inspector2") == ids("secretary2") == [z4["id"]]
    assert ids("inspector", open="true") == [november["id"], z4["id"]]
    assert ids("inspector", open="false") == [z1["id"]]
    # A period: the findings on its appraisals, and the zones' own dated in it.
    assert ids("inspector", period="2026-11") == [november["id"], z4["id"]]
    assert ids("inspector", period="2026-10") == [z1["id"]]
    assert ids("inspector", period="2026") == [z1["id"], z4["id"]]
    assert_problem(api.get("secretary2", "/findings", params={"branch_id": "B1"}), 403)
    assert_problem(api.get("inspector", "/findings", params={"branch_id": "B9"}), 422)
    for user in ("m1", "leader", "evaluator"):
        assert_problem(api.get(user, "/findings"), 403)


def test_outside_the_zones_branch_nothing_is_recorded_read_or_listed(api):
    doc = opened_in(api, "zone_evaluation")
    photo = uploaded(api, png())
    on_zone = record(api, "/zones/Z1", photo)
    on_appraisal = record(api, f"/appraisals/{doc['id']}", photo)
    before = zone_events(api)
    for user in ("m2", "evaluator", "inspector2", "secretary2", "leader", "archivist"):
        with nothing_recorded(api, doc):
            for path in ("/zones/Z1", f"/appraisals/{doc['id']}"):
                body = assert_problem(api.post(user, f"{path}/findings",
                                               json=finding_body(photo)), 403)
                assert not {"state", "version", "allowed_actions"} & set(body)
            for found in (on_zone, on_appraisal):
                assert_problem(api.post(user, f"/findings/{found['id']}/rectification",
                                        json={"text": "已整改"}), 403)
    assert zone_events(api) == before
    # Readers: of the zone's record, and of the appraisal (its history shows its findings).
    for user, zone_reader, appraisal_reader in (
            ("m2", False, False), ("inspector2", False, False), ("secretary2", False, False),
            ("evaluator", False, True), ("leader", False, True), ("m1", True, True),
            ("archivist", True, True)):
        for found, allowed in ((on_zone, zone_reader), (on_appraisal, appraisal_reader)):
            for path in (f"/findings/{found['id']}",
                         f"/findings/{found['id']}/attachments/{photo['sha256']}"):
                answer = api.get(user, path)
                assert answer.status_code == (200 if allowed else 403), (user, path)
        for path in ("/zones/Z1/findings", "/zones/Z1/history"):
            assert api.get(user, path).status_code == (200 if zone_reader else 403), user


def test_hostile_findings_are_refused_and_nothing_is_recorded(api):
    doc = api.open()
    photo = uploaded(api, png())
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    hostile = [{"text": "长" * 4001}, {"text": "好\u0000"}, {"text": "  "}, {"method": "gossip"},
               {"date": tomorrow}, {"date": "1969-12-31"}, {"date": "2026-02-30"},
               {"attachments": [{**photo, "sha256": "0" * 64}]},
               {"attachments": [{**photo, "size": photo["size"] + 1}]},
               {"attachments": [{**photo, "media_type": "application/pdf"}]},
               {"attachments": [photo] * 11}, {"attachments": [{**photo, "name": ""}]},
               {"attachments": "x"}]
    before = zone_events(api)
    found = record(api, "/zones/Z2")
    with nothing_recorded(api, doc):
        for changes in hostile:
            for path in ("/zones/Z1", f"/appraisals/{doc['id']}"):
                answer = api.post("inspector", f"{path}/findings",
                                  json={**finding_body(photo), **changes})
                assert_problem(answer, 422)
            if "text" in changes or "attachments" in changes:
                body = {"text": "已整改", "attachments": [], **changes}
                assert_problem(api.post("secretary", f"/findings/{found['id']}/rectification",
                                        json=body), 422)
    assert zone_events(api) == before
    assert api.get("inspector", f"/findings/{found['id']}").json()["rectification"] is None


def test_malformed_ids_are_not_found(api):
    found = record(api, "/zones/Z1")
    stream = found["id"].rsplit("-", 1)[0]
    for ident in (f"{stream}-f2", f"{stream}-o1", f"{stream.upper()}-f1", "f1", "x",
                  f"{api.open()['id']}-f1"):
        assert_problem(api.get("inspector", f"/findings/{ident}"), 404)
        assert_problem(api.post("secretary", f"/findings/{ident}/rectification",
                                json={"text": "已整改"}), 404)
    assert_problem(api.post("inspector", "/zones/Z9/findings", json=finding_body()), 404)
    assert_problem(api.get("inspector", "/zones/Z9/findings"), 404)
    assert_problem(api.get("inspector", "/zones/Z9/history"), 404)


def test_the_years_archive_holds_the_zones_findings_as_they_stood(api):
    photo = uploaded(api, png())
    api.publish("Z1", "2026-10")
    early = record(api, "/zones/Z1", photo, date="2026-03-01", text="=cmd|' /C calc'!A0")
    record(api, "/zones/Z4", date="2025-12-31")  # another year
    record(api, f"/appraisals/{api.open('Z2')['id']}")  # in the appraisal's history instead
    time.sleep(0.002)
    then = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    time.sleep(0.002)
    api.post("secretary", f"/findings/{early['id']}/rectification", json={"text": "已整改"})
    later = record(api, "/zones/Z4", date="2026-11-02")

    def archive(**query: str) -> dict[str, Any]:
        response = api.get("archivist", "/archives/2026", params=query)
        assert response.status_code == 200, response.text
        return json.loads(response.content)

    before, now = archive(as_of=then), archive()
    assert before["findings"] == [{**early, "zone_name": "综采一队"}]
    assert [(f["id"], f["rectification"] and f["rectification"]["text"])
            for f in now["findings"]] == [(early["id"], "已整改"), (later["id"], None)]
    assert now["names"]["users"]["inspector"] == "组织干部科"
    assert [f["id"] for f in archive(branch_id="B2")["findings"]] == [later["id"]]
    assert archive(as_of=then) == before  # the same, whatever happened after
    sheet = openpyxl.load_workbook(io.BytesIO(api.get(
        "archivist", "/archives/2026", params={"format": "xlsx"}).content))["督导检查"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:6] == ("综采支部", "Z1", "综采一队", "2026-03-01", "实地检视",
                           "=cmd|' /C calc'!A0")
    assert rows[1][9] == "已整改" and rows[2][9] == "未整改"
    assert sheet.cell(2, 6).data_type == "s"  # text, never a formula
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(api.get(
        "archivist", "/archives/2026", params={"format": "pdf"}).content)).pages)
    assert "责任区督导检查" in text and "未整改" in text
