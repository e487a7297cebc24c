"""What is written in school A is invisible from school B: by host, API, cache and task."""

from __future__ import annotations

from typing import Any, cast

from django.core.cache import cache

from mbn.tenancy import enqueue_on_commit, school_task
from tenants.ent.models import NewsAudience, NewsItem
from tests.tenants.directory.factories import DirectionFactory, StudentFactory
from tests.tenants.ent.factories import NewsItemFactory


def test_news_of_school_b_never_reach_school_a(school_a: Any, school_b: Any, api_as: Any) -> None:
    # given one news item in each school and a pupil of A
    with school_a.active():
        pupil = StudentFactory()
        NewsItemFactory(title="marker-A")
    with school_b.active():
        NewsItemFactory(title="marker-B")
    # when the pupil lists news on A's host, then on B's host
    own = api_as(pupil, school_a).get("/api/v1/ent/news")
    other = api_as(pupil, school_b).get("/api/v1/ent/news")
    # then A's item shows, B's never; B's host refuses a stranger
    assert own.status_code == 200
    assert "marker-A" in own.content.decode()
    assert "marker-B" not in own.content.decode()
    assert other.status_code == 403
    assert other.json()["code"] == "forbidden"


def test_public_home_of_b_does_not_show_a_news(school_a: Any, school_b: Any) -> None:
    # given a public item in A
    with school_a.active():
        NewsItemFactory(title="public-marker-A", audience=NewsAudience.PUBLIC)
    # when both home pages are read anonymously
    from tests.conftest import client_on

    page_a = client_on(school_a.host).get("/").content.decode()
    page_b = client_on(school_b.host).get("/").content.decode()
    # then only A's shows it
    assert "public-marker-A" in page_a
    assert "public-marker-A" not in page_b


def test_cache_keys_are_per_school(school_a: Any, school_b: Any) -> None:
    # given the same key written in each school
    with school_a.active():
        cache.set("timetable-version", "A-1")
    with school_b.active():
        cache.set("timetable-version", "B-7")
    # when read back in each school
    with school_a.active():
        seen_a = cache.get("timetable-version")
    with school_b.active():
        seen_b = cache.get("timetable-version")
    # then each sees its own
    assert (seen_a, seen_b) == ("A-1", "B-7")


@school_task(queue="default")
def copy_titles_task(*, news_id: int) -> None:
    """Reads one item in the current school and writes a copy there (tests the schema round trip)."""
    item = NewsItem.objects.get(pk=news_id)
    NewsItem.objects.get_or_create(title=f"copie de {item.title}")


def test_task_queued_from_a_reads_and_writes_a_only(
    school_a: Any, school_b: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an item in A and the same id unused in B
    with school_a.active():
        item = cast(NewsItem, NewsItemFactory(title="tache-A"))
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(copy_titles_task, news_id=item.pk)
        copies_a = list(NewsItem.objects.filter(title__startswith="copie de").values_list("title", flat=True))
    with school_b.active():
        copies_b = NewsItem.objects.filter(title__startswith="copie de").count()
    # then the copy exists in A only
    assert copies_a == ["copie de tache-A"]
    assert copies_b == 0


def test_publishing_in_a_is_refused_to_a_pupil_and_to_b_staff(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given a head of A, a pupil of A and a head of B
    with school_a.active():
        head_a = DirectionFactory()
        pupil_a = StudentFactory()
    with school_b.active():
        head_b = DirectionFactory()
    payload = {"title": "Conseil de classe", "body": "Mardi 17 h"}
    # when each posts on A's host
    by_head = api_as(head_a, school_a).post("/api/v1/ent/news", payload, content_type="application/json")
    by_pupil = api_as(pupil_a, school_a).post("/api/v1/ent/news", payload, content_type="application/json")
    by_stranger = api_as(head_b, school_a).post("/api/v1/ent/news", payload, content_type="application/json")
    anonymous = api_as(None, school_a).post("/api/v1/ent/news", payload, content_type="application/json")
    # then only A's head may, and nothing reached B
    assert by_head.status_code == 201
    assert by_head.json()["title"] == "Conseil de classe"
    assert by_pupil.status_code == 401 or by_pupil.status_code == 403
    assert by_stranger.status_code == 403
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    with school_b.active():
        assert not NewsItem.objects.filter(title="Conseil de classe").exists()
    with school_a.active():
        assert NewsItem.objects.filter(title="Conseil de classe").count() == 1


def test_invalid_news_gets_invalid_input_and_nothing_written(school_a: Any, api_as: Any) -> None:
    # given a head of A
    with school_a.active():
        head = DirectionFactory()
        before = NewsItem.objects.count()
    # when a news item without title is posted
    response = api_as(head, school_a).post("/api/v1/ent/news", {"title": ""}, content_type="application/json")
    # then 422 with the stable code and the French message, nothing written
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["message"] == "Certaines informations sont invalides."
    with school_a.active():
        assert NewsItem.objects.count() == before


def test_news_list_queries_do_not_grow_with_rows(
    school_a: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    # given a pupil and 2 items, then 40 more
    with school_a.active():
        pupil = StudentFactory()
        NewsItemFactory.create_batch(2)
    client = api_as(pupil, school_a)
    client.get("/api/v1/ent/news")
    with django_assert_max_num_queries(6):
        client.get("/api/v1/ent/news")
    with school_a.active():
        NewsItemFactory.create_batch(40)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/ent/news?limit=100")
    assert response.json()["count"] >= 42
