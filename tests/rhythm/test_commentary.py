"""Commentary: written from My updates, shown on the dashboard card, kept with history."""

from goals.models import Commentary

from .conftest import LAST_WEEK


def url(rhythm, period="2026-11-27"):
    return f"/districts/lakeside/metrics/{rhythm.metric.pk}/commentary/{period}/"


def test_the_owner_writes_commentary_and_it_shows_on_the_dashboard(
    rhythm, client_for, editor
):
    client = client_for(editor)
    assert client.get(url(rhythm)).status_code == 200
    response = client.post(
        url(rhythm),
        {
            "behind_the_number": "Snow closed two schools.",
            "next_steps": "Call families.",
        },
    )
    assert response.status_code == 302
    stored = Commentary.objects.get()
    assert (stored.period_end, stored.written_by, stored.network) == (
        LAST_WEEK,
        editor,
        None,
    )
    dashboard = client.get(
        "/districts/lakeside/dashboard/?as_of=2026-12-03"
    ).content.decode()
    assert "Snow closed two schools." in dashboard
    assert "Call families." in dashboard
    # Changing it keeps the earlier text in its history.
    client.post(url(rhythm), {"behind_the_number": "Snow closed three schools."})
    assert [h.behind_the_number for h in stored.history.order_by("history_id")] == [
        "Snow closed two schools.",
        "Snow closed three schools.",
    ]
    assert (
        "commentary for Nov 21 to Nov 27"
        in client.get("/districts/lakeside/my-updates/")
        .content.decode()
        .split("Done")[-1]
    )


def test_bad_input_saves_nothing_with_a_clear_message(rhythm, client_for, editor):
    client = client_for(editor)
    empty = client.post(url(rhythm), {"behind_the_number": "  "})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    assert client.get(url(rhythm, "2026-13-40")).status_code == 404
    assert not Commentary.objects.exists()


def test_viewers_read_but_do_not_write_and_others_get_404(
    rhythm, client_for, viewer, outsider
):
    assert client_for(viewer).get(url(rhythm)).status_code == 403
    assert (
        client_for(viewer).post(url(rhythm), {"behind_the_number": "x"}).status_code
        == 403
    )
    assert client_for(outsider).get(url(rhythm)).status_code == 404
    assert client_for(None).get(url(rhythm)).status_code == 302
    assert not Commentary.objects.exists()


def test_the_api_writes_and_lists_commentary(rhythm, api_client_for, editor, outsider):
    response = api_client_for(editor).post(
        "/api/v1/commentaries/",
        {
            "district": "lakeside",
            "metric": rhythm.metric.pk,
            "period_end": "2026-11-27",
            "behind_the_number": "Flu week.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["written_by"] == "editor"
    assert api_client_for(outsider).get("/api/v1/commentaries/").json()["results"] == []
    card = (
        api_client_for(editor)
        .get("/api/v1/districts/lakeside/dashboard/?as_of=2026-12-03")
        .json()["goals"][0]["metrics"][0]
    )
    assert card["commentary"]["behind_the_number"] == "Flu week."
