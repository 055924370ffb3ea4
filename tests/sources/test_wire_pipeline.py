"""Each wire kind polled end to end (config → request → parse → articles → archive)."""

from __future__ import annotations

from pathlib import Path

from archive import Archive
from tests.httpserver import Reply, serve
from tests.sources.support import fixture
from tests.sources.wire_support import archive_rows, cls_roll, json_reply, poll, query, settings

CLS_QUERY = "?app=CailianpressWeb&category=&os=web&sv=8.4.6"


def test_cls_telegraph_flashes_are_archived_without_page_fetches(tmp_path: Path) -> None:
    with serve({}) as server:
        server.routes["/v1/roll/get_roll_list"] = cls_roll({None: "cls-telegraph-page1.json"})
        config = settings(tmp_path, [{"name": "财联社电报", "site": "财联社", "category": "金融",
                                      "kind": "cls_telegraph", "url": server.url("/v1/roll/get_roll_list" + CLS_QUERY)}])
        report = poll(config)
        assert (report.status, report.new, report.failed) == ("ok", 2, 0), report.line()
        [request] = server.requests  # the listing only: flashes have no page
        assert "sign" in query(request)
        assert request.headers["referer"] == "https://www.cls.cn/telegraph"
    rows = archive_rows(config)
    by_title = {r["title"]: r for r in rows}
    moutai = by_title["贵州茅台：前三季度净利润同比增长15.0%"]
    assert moutai["important"] is True and moutai["source_url"] == "https://www.cls.cn/detail/2498330"
    assert moutai["published"] == "2026-10-06T07:42:10Z"
    assert [r["title"] for r in archive_rows(config, important=True)] == [moutai["title"]]
    with Archive(config.archive.database, config.archive.posts_dir) as archive:
        stored = archive.get(moutai["id"])
        assert stored is not None and stored["body_text"].startswith("财联社10月6日电，贵州茅台公告")
        assert moutai["stocks"] == ["SH600519"]  # the wire's stock_list, through archive.stocks
        post = archive.post_text(moutai["id"])  # a flash post renders like any other
        assert "title: '贵州茅台：前三季度净利润同比增长15.0%'" in post and "贵州茅台公告" in post
    assert config.feeds[0].interval == 60.0  # the wire's default interval


def test_cls_signature_error_is_a_one_line_feed_failure(tmp_path: Path) -> None:
    with serve({"/v1/roll/get_roll_list": json_reply("cls-sign-error.json")}) as server:
        config = settings(tmp_path, [{"name": "c", "site": "财联社", "category": "金融", "kind": "cls_telegraph",
                                      "url": server.url("/v1/roll/get_roll_list" + CLS_QUERY)}])
        report = poll(config)
    assert report.status == "failed"
    assert report.line() .endswith("cls.cn API error 10012: 签名错误") and "\n" not in report.line()


def test_403_and_418_are_one_line_feed_failures(tmp_path: Path) -> None:
    for status in (403, 418):
        with serve({"/lives": Reply(status=status, body=b"<html>blocked</html>", content_type="text/html")}) as server:
            config = settings(tmp_path / str(status), [{"name": "w", "site": "华尔街见闻", "category": "金融",
                                                        "kind": "wallstreetcn_live", "url": server.url("/lives?channel=global-channel")}])
            report = poll(config)
        assert report.status == "failed" and report.http_status == status
        assert f"HTTP {status}: refused by the server" in report.line() and "\n" not in report.line()


def test_changed_payload_is_reported_as_a_template_change(tmp_path: Path) -> None:
    with serve({"/get_flash_list": Reply(body=b'{"status": 200, "data": {"items": []}}',
                                         content_type="application/json")}) as server:
        config = settings(tmp_path, [{"name": "j", "site": "金十", "category": "金融", "kind": "jin10_flash",
                                      "url": server.url("/get_flash_list?channel=-8200&vip=1")}])
        report = poll(config)
    assert report.status == "failed" and "payload changed shape" in report.line()
    assert archive_rows(config) == []


def test_cls_depth_full_text_from_the_listing_host(tmp_path: Path) -> None:
    with serve({"/v3/depth/list/1000": json_reply("cls-depth-list.json"),
                "/detail/2498400": Reply(body=fixture("cls-detail-2498400.html"), content_type="text/html")}) as server:
        config = settings(tmp_path, [{"name": "财联社深度", "site": "财联社", "category": "金融", "kind": "cls_depth",
                                      "url": server.url("/v3/depth/list/1000" + CLS_QUERY)}])
        report = poll(config)
        assert (report.new, report.failed) == (1, 0), report.line()
        assert server.requests_for("/detail/2498400")
    [row] = archive_rows(config)
    assert row["source_url"] == "https://www.cls.cn/detail/2498400" and row["author"] == "王晓"
    assert row["important"] is False
    with Archive(config.archive.database, config.archive.posts_dir) as archive:
        stored = archive.get(row["id"])
        assert stored is not None and "<strong>超预期</strong>" in stored["body_html"]


def test_cls_depth_page_without_embedded_json_keeps_the_brief(tmp_path: Path) -> None:
    with serve({"/v3/depth/list/1000": json_reply("cls-depth-list.json"),
                "/detail/2498400": Reply(body=fixture("cls-detail-changed.html"), content_type="text/html")}) as server:
        config = settings(tmp_path, [{"name": "d", "site": "财联社", "category": "金融", "kind": "cls_depth",
                                      "url": server.url("/v3/depth/list/1000" + CLS_QUERY)}])
        assert poll(config).new == 1
    [row] = archive_rows(config)
    assert "extract_failed" in row["flags"] and row["summary"].startswith("储能订单放量")


def test_wallstreetcn_news_full_text_and_paid_items_skipped(tmp_path: Path) -> None:
    with serve({"/apiv1/content/information-flow": json_reply("wallstreetcn-news-flow.json"),
                "/apiv1/content/articles/3752001": json_reply("wallstreetcn-article-3752001.json")}) as server:
        config = settings(tmp_path, [{"name": "见闻", "site": "华尔街见闻", "category": "金融", "kind": "wallstreetcn_news",
                                      "url": server.url("/apiv1/content/information-flow?channel=global-channel&accept=article")}])
        report = poll(config)
        assert (report.items, report.new) == (1, 1), report.line()
        assert not server.requests_for("/apiv1/content/articles/3751990")  # the paid one
    [row] = archive_rows(config)
    assert row["source_url"] == "https://wallstreetcn.com/articles/3752001"
    assert row["source"] == "华尔街见闻"


def test_wallstreetcn_live_and_jin10_flashes(tmp_path: Path) -> None:
    with serve({"/apiv1/content/lives": json_reply("wallstreetcn-lives-page1.json"),
                "/get_flash_list": json_reply("jin10-flash-page1.json")}) as server:
        config = settings(tmp_path, [
            {"name": "w", "site": "华尔街见闻", "category": "金融", "kind": "wallstreetcn_live",
             "url": server.url("/apiv1/content/lives?channel=global-channel&limit=100")},
            {"name": "j", "site": "金十", "category": "金融", "kind": "jin10_flash",
             "url": server.url("/get_flash_list?channel=-8200&vip=1"), "interval": "2m"}])
        assert poll(config, "w").new == 2
        assert poll(config, "j").new == 2
        [jin10] = server.requests_for("/get_flash_list")
        assert jin10.headers["x-app-id"] and jin10.headers["x-version"] == "1.0.0"
    assert config.feed("j").interval == 120.0  # a configured interval wins over the wire's default
    important = {r["feed"]: r["title"] for r in archive_rows(config, important=True)}
    assert important == {"w": "美联储理事：年内或再降息一次", "j": "欧洲央行行长：通胀前景仍存不确定性"}


def test_rsshub_route_shorthand_with_key_reads_json_feed_without_page_fetches(tmp_path: Path) -> None:
    with serve({"/cls/telegraph": json_reply("rsshub-cls-telegraph.json")}) as server:
        config = settings(tmp_path, [{"name": "r", "site": "财联社", "category": "金融", "kind": "rsshub",
                                      "route": "/cls/telegraph"}],
                          rsshub={"base": server.url("").rstrip("/"), "key": "s3cret"})
        report = poll(config)
        assert (report.new, report.failed) == (3, 0), report.line()
        [request] = server.requests  # the route only: its items carry the text (full_text defaults off)
        assert query(request) == {"key": "s3cret", "format": "json"}
    assert config.feeds[0].url == server.url("/cls/telegraph?key=s3cret")
    titles = {r["title"] for r in archive_rows(config)}
    assert "贵州茅台：前三季度净利润同比增长15.0%，营业收入1231亿元，第三季度单季净利润创新高" in titles
