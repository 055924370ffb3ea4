"""``newsroll backfill`` on sina_zhibo, eastmoney_fastnews, stcn_kuaixun and yicai_brief (subprocesses)."""

from __future__ import annotations

from pathlib import Path

from tests.httpserver import Reply, RequestRecord, serve
from tests.sources.test_wire_cli import feed, newsroll, stored, write_config
from tests.sources.wire_support import json_reply, query

EMPTY = {
    "z": b'{"result":{"status":{"code":0},"data":{"feed":{"list":[]}}}}',
    "e": b'{"code":"1","message":"success","data":{"fastNewsList":[]}}',
    "s": b'{"state":1,"msg":"ok","data":[]}',
    "y": b"[]",
}


def test_four_wires_backfill_through_their_paging(tmp_path: Path) -> None:
    def zhibo(request: RequestRecord) -> Reply:
        page = query(request).get("page")
        return json_reply("sina-zhibo-page1.json") if page == "1" else Reply(body=EMPTY["z"], content_type="application/json")

    def fastnews(request: RequestRecord) -> Reply:
        end = query(request).get("sortEnd")
        return json_reply("eastmoney-fastnews-page.json") if not end else Reply(body=EMPTY["e"], content_type="application/json")

    def kx(request: RequestRecord) -> Reply:
        first = "page_time" not in query(request)
        return json_reply("stcn-kx-list.json") if first else Reply(body=EMPTY["s"], content_type="application/json")

    def brief(request: RequestRecord) -> Reply:
        first = query(request).get("page") == "1"
        return json_reply("yicai-brief.json") if first else Reply(body=EMPTY["y"], content_type="application/json")

    with serve({"/api/zhibo/feed": zhibo, "/comm/web/getFastNewsList": fastnews, "/article/list.html": kx,
                "/api/ajax/getbrieflist": brief}) as server:
        config = write_config(tmp_path, feed("z", "sina_zhibo", server.url("/api/zhibo/feed?zhibo_id=152&pagesize=3&page=1"))
                              + feed("e", "eastmoney_fastnews", server.url("/comm/web/getFastNewsList?fastColumn=102&sortEnd=&pageSize=50&req_trace="))
                              + feed("s", "stcn_kuaixun", server.url("/article/list.html?type=kx"))
                              + feed("y", "yicai_brief", server.url("/api/ajax/getbrieflist?type=0&page=1&pagesize=50")))
        for name in ("z", "e", "s", "y"):
            result = newsroll(config, "backfill", name, "--since", "2026-01-01")
            assert result.returncode == 0 and "backfill complete" in result.stdout, (name, result.stdout, result.stderr)
        assert [query(r).get("page") for r in server.requests_for("/api/zhibo/feed")] == ["1", "2"]
        assert [query(r).get("sortEnd") for r in server.requests_for("/comm/web/getFastNewsList")] == ["", "1796606000034400"]
        assert [query(r).get("page_time") for r in server.requests_for("/article/list.html")] == [None, "4300001"]
        assert [query(r).get("page") for r in server.requests_for("/api/ajax/getbrieflist")] == ["1", "2"]
    assert len(stored(config)) >= 8
