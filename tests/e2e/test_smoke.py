"""One appraisal through all five states over HTTP, on both backends."""


def test_an_appraisal_goes_from_self_check_to_published(api):
    doc = api.publish()
    assert doc["state"] == "published"
    assert doc["score"] == 93.5
    assert doc["grade"] == "excellent"
    assert doc["allowed_actions"] == ["reopen"]
    history = api.get("inspector", f"/appraisals/{doc['id']}/history").json()
    assert [e["type"] for e in history["events"]] == [
        "opened", "self_check_submitted", "zone_evaluation_submitted",
        "group_review_submitted", "branch_approved"]
