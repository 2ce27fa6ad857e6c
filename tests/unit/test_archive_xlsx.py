"""The year-end archive as XLSX: reproducible bytes, the manifest read back exactly, and
the numbers a branch reads back as the numbers of the archive."""

import io
import time

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from reports import archive_xlsx
from tests.archive_sample import LONG, sample_archive

SHA = "0123456789abcdef" * 4


@pytest.fixture(scope="module")
def archive() -> dict:
    return sample_archive(zones=6, months=4)


@pytest.fixture(scope="module")
def xlsx(archive: dict) -> bytes:
    return archive_xlsx.workbook(archive, SHA)


@pytest.fixture(scope="module")
def book(xlsx: bytes) -> Workbook:
    return load_workbook(io.BytesIO(xlsx))


def test_the_same_archive_gives_the_same_bytes_whatever_the_clock(
        archive: dict, xlsx: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 4_102_444_800.0)  # 2100-01-01: zip entry dates
    assert archive_xlsx.workbook(archive, SHA) == xlsx


def test_the_document_is_dated_as_of_the_archive(book: Workbook) -> None:
    assert book.properties.created.isoformat() == "2027-01-31T16:00:00"
    assert book.properties.modified == book.properties.created


def test_the_manifest_reads_back_exactly(archive: dict, xlsx: bytes) -> None:
    assert archive_xlsx.read_manifest(xlsx) == {**archive["manifest"], "json_sha256": SHA,
                                                "format": "xlsx"}


def test_a_workbook_without_a_manifest_is_refused() -> None:
    out = io.BytesIO()
    Workbook().save(out)
    with pytest.raises(ValueError, match="no appraisal manifest"):
        archive_xlsx.read_manifest(out.getvalue())


def test_the_cover_shows_the_manifest_in_chinese(book: Workbook) -> None:
    cover = book["档案信息"]
    rows = {row[0]: row[1] for row in cover.iter_rows(values_only=True) if row and row[0]}
    assert cover["A1"].value == "2026年度党员责任区考核档案"
    assert rows["JSON SHA-256"] == SHA
    assert rows["范围"] == "全部支部"
    assert "appraisal archive verify" in rows["核验方法"]
    assert cover.column_dimensions["C"].hidden


def test_the_cover_shows_the_log_checkpoint_in_one_line_and_no_proof(archive: dict,
                                                                      book: Workbook) -> None:
    checkpoint = archive["manifest"]["ledger"]["checkpoint"]
    shown = [row[:2] for row in book["档案信息"].iter_rows(values_only=True)
             if row and row[0] == "日志检查点"]
    line = f"{checkpoint['size']}（根哈希 {checkpoint['root'][:16]}…，SM3）"
    assert shown == [("日志检查点", line)]
    visible = [cell for row in book["档案信息"].iter_rows(max_col=2, values_only=True)
               for cell in row if isinstance(cell, str)]
    assert not any(archive["manifest"]["ledger"]["appraisals"][0]["inclusion"] in cell
                   for cell in visible)


def test_a_manifest_longer_than_a_cell_holds_is_split_and_read_back_whole() -> None:
    archive = sample_archive(zones=12, months=12)  # 156 appraisals: ~110,000 characters
    data = archive_xlsx.workbook(archive, SHA)
    cover = load_workbook(io.BytesIO(data))["档案信息"]
    pieces = [row[3] for row in cover.iter_rows(values_only=True) if row[2] == "ledger"]
    assert len(pieces) > 1 and all(len(p) <= 32_767 for p in pieces)
    assert archive_xlsx.read_manifest(data)["ledger"] == archive["manifest"]["ledger"]


def test_sheet_names_are_short_and_unique(book: Workbook) -> None:
    names = book.sheetnames
    assert names[0] == "档案信息" and "考核表" in names
    assert len(set(names)) == len(names)
    assert all(len(name) <= 31 for name in names)


def test_long_and_clashing_branch_names_still_make_legal_sheets(archive: dict) -> None:
    long = "中共某某煤业集团有限责任公司第一综采工作面党支部委员会/[试点]"
    names = {**archive["names"], "branches": dict.fromkeys(archive["names"]["branches"], long)}
    book = load_workbook(io.BytesIO(archive_xlsx.workbook({**archive, "names": names}, SHA)))
    summaries = [name for name in book.sheetnames if name.startswith("汇总")]
    assert len(summaries) == len({m["branch_id"] for m in archive["members"]})
    assert len(set(summaries)) == len(summaries)
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in summaries)


def test_each_appraisal_row_holds_the_scores_as_numbers(archive: dict, book: Workbook) -> None:
    rows = _rows(book["考核表"])
    assert len(rows) == len(archive["appraisals"])
    for appraisal, row in zip(archive["appraisals"], rows, strict=True):
        assert row["档案号"] == appraisal["id"]
        assert row["得分"] == appraisal["score"]
        assert row["奖惩金额(元)"] == appraisal["reward"]
        assert row["是否定稿"] == ("是" if appraisal["final"] else "否")
        assert row["等次"] in ("优秀", "合格", "基本合格", "不合格")
        review = appraisal["group_review"]
        assert row["党小组长考核·思想动态"] == review["scores"]["thought"]
        assert row["党小组长考核·合计"] == review["total"]
        assert row["党小组长考核·签署人"] == f"{archive['names']['users'][review['actor']]}" \
                                          f"（{review['actor']}）"
        assert row["党小组长考核·角色"] == "党小组长"
        signed = appraisal["zone_evaluation"]
        assert row["责任区评价·合计"] == signed["total"]
        assert row["责任区评价·时间"].startswith(appraisal["history"][0]["at"][:4])


def test_the_sample_has_final_results_and_others(archive: dict) -> None:
    assert {a["final"] for a in archive["appraisals"]} == {True, False}


def test_times_are_shown_in_beijing_time(archive: dict, book: Workbook) -> None:
    row = _rows(book["考核表"])[0]
    at = archive["appraisals"][0]["branch_approval"]["at"]  # …T10:55Z style, UTC
    hour = (int(at[11:13]) + 8) % 24
    assert row["党支部审核·时间"].endswith(f"{hour:02d}:{at[14:16]}")


def test_returns_and_reopenings_list_their_reasons(archive: dict, book: Workbook) -> None:
    rows = _rows(book["考核表"])
    for appraisal, row in zip(archive["appraisals"], rows, strict=True):
        for entry in appraisal["history"]:
            if entry["type"] in ("returned", "reopened"):
                assert entry["data"]["reason"] in row["退回与重新打开"]


def test_the_summary_reads_back_as_the_members_numbers(archive: dict, book: Workbook) -> None:
    rows = {row["党员编号"]: row for name in book.sheetnames if name.startswith("汇总")
            for row in _rows(book[name], header_row=2)}
    assert set(rows) == {m["member_id"] for m in archive["members"]}
    for member in archive["members"]:
        row = rows[member["member_id"]]
        assert row["党员"] == member["name"]
        assert row["月均分"] == member["monthly_average"]
        assert row["优秀月数"] == member["excellent_months"]
        assert row["不合格月数"] == member["unqualified_months"]
        for entry in member["monthly"]:
            assert row[f"{int(entry['period'][5:])}月"] == entry["score"]
        assert row["年度得分"] == (member["annual"][0]["score"] if member["annual"] else None)


def test_an_empty_archive_still_makes_a_file() -> None:
    empty = {**sample_archive(zones=0), "members": []}
    data = archive_xlsx.workbook(empty, SHA)
    assert archive_xlsx.read_manifest(data)["json_sha256"] == SHA
    assert _rows(load_workbook(io.BytesIO(data))["考核表"]) == []


def test_an_unsigned_step_and_a_long_comment_render() -> None:
    changed = sample_archive(zones=1, months=1)
    appraisal = changed["appraisals"][0]
    appraisal["self_check"] = None
    appraisal["zone_evaluation"] = {**appraisal["zone_evaluation"], "comment": LONG}
    row = _rows(load_workbook(io.BytesIO(archive_xlsx.workbook(changed, SHA)))["考核表"])[0]
    assert row["自查·签署人"] == "未签署"
    assert row["自查·合计"] is None
    assert row["责任区评价·意见"] == LONG


def test_text_stays_text_even_when_it_looks_like_a_formula() -> None:
    changed = sample_archive(zones=1, months=1)
    appraisal = changed["appraisals"][0]
    appraisal["group_review"] = {**appraisal["group_review"],
                                 "comment": "=HYPERLINK(\"http://x\") \x07 "}
    changed["members"][0]["name"] = "=1+1"
    book = load_workbook(io.BytesIO(archive_xlsx.workbook(changed, SHA)))
    row = _rows(book["考核表"])[0]
    assert row["党小组长考核·意见"] == "=HYPERLINK(\"http://x\")  "  # bell dropped, spaces kept
    summary = next(name for name in book.sheetnames if name.startswith("汇总"))
    assert book[summary]["B3"].value == "=1+1"
    assert book[summary]["B3"].data_type == "s"


def _rows(sheet, header_row: int = 1) -> list[dict]:
    values = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_each_year_end_lists_its_months_as_read(archive: dict, book: Workbook) -> None:
    rows = {row["档案号"]: row for row in _rows(book["年度考核依据"])}
    year_ends = [a for a in archive["appraisals"] if a["period"] == "2026"]
    assert set(rows) == {a["id"] for a in year_ends} and len(year_ends) == 6
    for year_end in year_ends:
        months, row = year_end["months"], rows[year_end["id"]]
        scores = [a["score"] for a in archive["appraisals"]
                  if a["zone_id"] == year_end["zone_id"] and a["period"] != "2026"]
        assert [row[f"{m}月"] for m in range(1, 13)] == [*scores, *["未公示"] * 8]
        assert (row["年度得分"], row["已公示月数"], row["月均分"]) == (year_end["score"], 4,
                                                                  months["average"])
        assert (row["优秀月数"], row["不合格月数"]) == (months["excellent"], months["unqualified"])
        assert row["起评分·履职尽责"] == months["offered"]["duty"]
