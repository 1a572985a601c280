"""The online link check (FM409-FM413): LinkChecker against a local HTTP server that counts requests."""

from __future__ import annotations

import http.server
import re
import socket
import subprocess
import threading
from pathlib import Path

import pytest

import fmlint.online as online_mod
from fmlint.cli import cli
from fmlint.config import Config, ConfigError
from fmlint.online import cache as cache_mod
from fmlint.online import collect as collect_mod
from fmlint.online import ensure_available, runner
from fmlint.online.collect import UrlUse, checked_fragment, never_requested, request_url
from fmlint.authoring.edits import apply_edits
from fmlint.online.fixes import redirect_edits
from fmlint.online.results import BROKEN, OK, UNAVAILABLE, LinkResult, parse_xml
from fmlint.rules.online import CODES, findings
from fmlint.site.site import load_site
from tests.helpers import HB, chdir, check_tree, handbook, section_page, write_tree



def _has_linkchecker() -> bool:
    try:
        runner.linkchecker_command()
    except runner.LinkCheckerError:
        return False
    return True




# --- a local server -------------------------------------------------------------------------------

IDS_PAGE = (b'<!DOCTYPE html><html><body><h2 id="intro">Intro</h2><a name="legacy"></a>'
            b'<h2 id="user-content-readme">Readme</h2></body></html>')


class Server:
    """127.0.0.1 on a free port; counts every request; /slow answers only after the test ends."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.release = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:  # noqa: N802
                self.do_GET()

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append(self.path)
                routes = {
                    "/ok": (200, b"<html><body>fine</body></html>", None),
                    "/moved": (301, b"", "/ok"),
                    "/found": (302, b"", "/ok"),
                    "/missing": (404, b"not here", None),
                    "/gone": (410, b"gone", None),
                    "/error": (500, b"oops", None),
                    "/ids": (200, IDS_PAGE, None),
                    "/doi/10.1234/known": (302, b"", "/ok"),
                    "/doi/10.1234/unknown": (404, b"DOI not found", None),
                }
                path = self.path.split("?", 1)[0]
                if path == "/slow":
                    server.release.wait(10)
                    code, body, location = 200, b"late", None
                else:
                    code, body, location = routes.get(path, (404, b"no route", None))
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    if location:
                        self.send_header("Location", location)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (the /slow page)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    if not _has_linkchecker():
        pytest.skip("LinkChecker is not installed")
    srv = Server()
    yield srv
    srv.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the fixture site -----------------------------------------------------------------------------

S1, S2, BIB = f"{HB}/section1/index.md", f"{HB}/section2/index.md", f"{HB}/references.bib"


def _site_files(base: str, closed: int) -> dict[str, str]:
    files = handbook(2)
    files[S1] = section_page(1, total=2, body=f"""## 1.1 Links

- [fine]({base}/ok)
- [moved]({base}/moved)
- [found]({base}/found)
- [missing]({base}/missing)
- [gone]({base}/gone)
- [error]({base}/error)
- [slow]({base}/slow)
- [intro]({base}/ids#intro)
- [typo]({base}/ids#intro-typo)
- [readme]({base}/ids#readme)
- [route]({base}/ids#/app/route)
- [closed](http://127.0.0.1:{closed}/)
- <a href="{base}/missing">the missing page again, in HTML</a>

Known {{% cite known %}}, unknown {{% cite unknown %}} and moved {{% cite moved %}}.
""")
    files[S2] = section_page(2, total=2, body=f"""## 2.1 More links

The [missing page]({base}/missing) once more.

![a plot that is gone]({base}/gone)
""")
    files[BIB] = f"""@misc{{known,
  title = {{Known}},
  author = {{A. Author}},
  year = {{2020}},
  doi = {{10.1234/known}},
}}

@misc{{unknown,
  title = {{Unknown}},
  author = {{A. Author}},
  year = {{2020}},
  doi = {{10.1234/unknown}},
}}

@misc{{moved,
  title = {{Moved}},
  author = {{A. Author}},
  year = {{2020}},
  url = {{{base}/moved}},
}}
"""
    return files


def _line(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").split("\n")
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def _online(diags):
    return {(d.path, d.line, d.code) for d in diags if d.code in CODES}


ONLINE = {"snippets": {"cache": False}, "links": {"online": True, "timeout": 1}}


@pytest.fixture(scope="module")
def site(server, tmp_path_factory):
    root = tmp_path_factory.mktemp("online")
    write_tree(root, {**_site_files(server.base, _closed_port()), "_config.yml": "markdown: kramdown\n"})
    return root


@pytest.fixture(scope="module")
def doi_resolver(server):
    mp = pytest.MonkeyPatch()
    mp.setattr(collect_mod, "DOI_RESOLVER", f"{server.base}/doi/")
    yield
    mp.undo()


@pytest.fixture(scope="module")
def first_run(site, server, doi_resolver):
    server.requests.clear()
    diags = check_tree(site, **ONLINE)
    return diags, list(server.requests)


# --- the findings ------------------------------------------------------------------------------------

def test_each_failing_url_is_reported_at_every_line_that_uses_it(site, first_run):
    diags, _ = first_run
    at = lambda rel, needle: (rel, _line(site, rel, needle))  # noqa: E731
    expected = {
        (*at(S1, "/moved)"), "FM412"),
        (*at(S1, "[missing]("), "FM409"),
        (*at(S1, '<a href="'), "FM409"),
        (*at(S2, "/missing)"), "FM409"),
        (*at(S1, "[gone]("), "FM409"),
        (*at(S2, "/gone)"), "FM409"),
        (*at(S1, "/error)"), "FM411"),
        (*at(S1, "/slow)"), "FM411"),
        (*at(S1, "#intro-typo)"), "FM413"),
        (*at(S1, "[closed]("), "FM410"),
        (*at(BIB, "url = "), "FM412"),
        (*at(BIB, "10.1234/unknown"), "FM409"),
    }
    assert _online(diags) == expected


def test_messages_name_the_new_url_and_the_suggested_id(site, server, first_run):
    diags, _ = first_run
    by_code = {}
    for d in diags:
        by_code.setdefault(d.code, []).append(d)
    moved = next(d for d in by_code["FM412"] if d.path == S1)
    assert f"{server.base}/ok" in moved.message and moved.fixable
    typo = by_code["FM413"][0]
    assert "#intro" in typo.message.split("did you mean", 1)[1]
    assert any("1 s" in d.message for d in by_code["FM411"])  # the timeout names the limit


def test_each_unique_url_is_requested_once(first_run):
    _, requests = first_run
    assert requests.count("/missing") == 1  # used on three lines of two pages
    assert requests.count("/gone") == 1


def test_a_second_run_within_the_ttl_makes_no_request(site, server, first_run):
    server.requests.clear()
    diags = check_tree(site, **ONLINE)
    assert server.requests == []
    assert _online(diags) == _online(first_run[0])


def test_without_online_no_network_connection_is_made(site, server, first_run, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access without --online")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)  # LinkChecker is never started either
    server.requests.clear()
    diags = check_tree(site, snippets={"cache": False})
    assert _online(diags) == set()
    assert server.requests == []


def test_fix_hook_rewrites_same_host_permanent_redirects_from_the_cache(site, server, first_run, monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("the fix hook never runs LinkChecker"))
    with chdir(site):
        loaded = load_site([Path("content")], Config.model_validate(ONLINE))
        edits = redirect_edits(loaded, loaded.config)
    assert {p.relative_to(site).as_posix(): [(e.text, e.code) for e in es] for p, es in edits.items()} == {
        S1: [(f"{server.base}/ok", "FM412")],
        BIB: [(f"{server.base}/ok", "FM412")],
    }
    page = (site / S1).read_text(encoding="utf-8")
    fixed, applied, _ = apply_edits(page, edits[(site / S1).resolve()])
    assert len(applied) == 1
    assert fixed == page.replace(f"[moved]({server.base}/moved)", f"[moved]({server.base}/ok)")


# --- the command line: --online, --refresh-links, exclude ----------------------------------------------

def _cli(root: Path, *args: str) -> int:
    with chdir(root):
        return cli.main(args=["check", "content", "--format", "json", *args], standalone_mode=False)


def test_cli_online_refresh_and_exclude(tmp_path, server, capsys):
    files = handbook(1)
    files[f"{HB}/section1/index.md"] = section_page(1, total=1, body=f"""## 1.1 Links

[fine]({server.base}/ok) and [missing]({server.base}/missing) and [skipped]({server.base}/missing?x=1)
""")
    write_tree(tmp_path, {**files, "_config.yml": "markdown: kramdown\n",
                          ".fmlint.toml": '[links]\nexclude = ["\\\\?x=1$"]\ntimeout = 1\n'})
    server.requests.clear()
    assert _cli(tmp_path) == 0  # offline by default
    assert server.requests == []
    assert _cli(tmp_path, "--online") == 1
    assert sorted(server.requests) == ["/missing", "/ok"]  # the excluded URL is never requested
    assert '"FM409"' in capsys.readouterr().out
    server.requests.clear()
    assert _cli(tmp_path, "--online") == 1
    assert server.requests == []
    assert _cli(tmp_path, "--refresh-links") == 1
    assert sorted(server.requests) == ["/missing", "/ok"]
    assert (tmp_path / ".fmlint_cache" / "links" / "results.json").is_file()


def test_online_config_key_turns_the_check_on(tmp_path, server):
    files = handbook(1)
    files[f"{HB}/section1/index.md"] = section_page(1, total=1, body=f"## 1.1 A\n\n[x]({server.base}/gone)\n")
    server.requests.clear()
    diags = check_tree(tmp_path, files, **ONLINE)
    assert {d.code for d in diags if d.code in CODES} == {"FM409"}
    assert server.requests == ["/gone"]


def test_missing_linkchecker_is_a_usage_error(monkeypatch):
    monkeypatch.setattr(runner.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(runner.shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match="pip install"):
        ensure_available(Config.model_validate({"links": {"online": True}}))
    ensure_available(Config())  # offline: not needed
    ensure_available(Config.model_validate({"links": {"online": True}, "select": ["FM1"]}))


def test_invalid_exclude_pattern_is_a_configuration_error():
    with pytest.raises(ValueError, match="regular expression"):
        Config.model_validate({"links": {"exclude": ["("]}})


# --- the pieces, without a network ------------------------------------------------------------------------

def test_request_url_encodes_what_a_client_encodes():
    assert request_url("HTTP://Example.ORG/a b/ö?q=ä#/route") == "http://example.org/a%20b/%C3%B6?q=%C3%A4"
    assert request_url("https://x.org/p#sec-2") == "https://x.org/p#sec-2"
    assert request_url("https://bücher.de/") == "https://xn--bcher-kva.de/"
    assert request_url("https://x.org") == "https://x.org/"


@pytest.mark.parametrize("fragment", ["/route", "!x", "L10", "L10-L20", "page=2", ":~:text=a", "top", ""])
def test_script_fragments_are_not_checked(fragment):
    assert checked_fragment(fragment) is None


def test_reserved_hosts_are_never_requested():
    assert never_requested("http://localhost:8888/tree")
    assert never_requested("https://api.example.com/v1")
    assert not never_requested("https://arxiv.org/abs/1706.03762")


_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<linkchecker created="x">
  <urldata><url>https://a.org/x</url><realurl>https://b.org/y</realurl>
    <warnings>
      <warning tag="http-redirected">Redirected to `https://a.org/x/' status: 301 Moved Permanently.</warning>
      <warning tag="http-redirected">Redirected to `https://b.org/y' status: 302 Found.</warning>
    </warnings><valid result="200 OK">1</valid></urldata>
  <urldata><url>https://c.org/#usage\x0b</url><realurl>https://c.org/#usage</realurl>
    <warnings><warning>Anchor `usage' (decoded: `usage') not found. Available anchors: `usages', `user-content-x'.</warning>
    </warnings><valid result="200 OK">1</valid></urldata>
  <urldata><url>https://d.org/</url><valid result="ReadTimeout: HTTPSConnectionPool(host='d.org'): Read timed out.">0</valid></urldata>
  <urldata><url>https://e.org/</url><valid result="429 Too Many Requests">1</valid></urldata>
  <urldata><url>https://f.org/</url><valid result="410 Gone">0</valid></urldata>
  <urldata><url>https://g.org/</url><valid result="200 OK">1"""  # truncated: the last record is lost


def test_xml_output_is_parsed_record_by_record():
    found = parse_xml(_XML, 1.0)
    assert set(found) == {"https://a.org/x", "https://c.org/#usage", "https://d.org/", "https://e.org/", "https://f.org/"}
    a = found["https://a.org/x"]
    assert a.status == OK and a.permanent_target() == "https://a.org/x/"  # the 302 after it is temporary
    c = found["https://c.org/#usage"]
    assert (c.fragment, c.suggestion) == ("missing", "usages")
    assert found["https://d.org/"].status == UNAVAILABLE and found["https://d.org/"].timeout
    assert found["https://e.org/"].status == UNAVAILABLE and found["https://e.org/"].code == 429
    assert found["https://f.org/"].status == BROKEN


def test_cache_keeps_failures_that_often_pass_for_a_day_at_most(tmp_path):
    day = cache_mod.DAY
    store = cache_mod.LinkCache(tmp_path / "cache" / "links", 7)
    store.store({"https://a.org/": LinkResult("https://a.org/", OK, 200, checked=0.0),
                 "https://b.org/": LinkResult("https://b.org/", UNAVAILABLE, 503, checked=0.0)}, 0.0)
    again = cache_mod.LinkCache(tmp_path / "cache" / "links", 7)
    assert again.fresh("https://a.org/", 6 * day) is not None
    assert again.fresh("https://a.org/", 8 * day) is None
    assert again.fresh("https://b.org/", 0.5 * day) is not None
    assert again.fresh("https://b.org/", 2 * day) is None
    assert cache_mod.LinkCache(tmp_path / "cache" / "links", 0).fresh("https://a.org/", 1.0) is None  # --refresh-links
    assert (tmp_path / "cache" / ".gitignore").is_file()  # a folder fmlint created


def test_clean_handbook_has_no_online_finding_and_no_request(tmp_path, monkeypatch):
    monkeypatch.setattr(online_mod, "run_linkchecker", lambda *a, **k: pytest.fail("nothing to request"))
    diags = check_tree(tmp_path, handbook(3), **ONLINE)
    assert _online(diags) == set()


def test_collect_reads_pages_jekyll_renders_and_bibliography_fields(tmp_path, monkeypatch):
    monkeypatch.setattr(collect_mod, "DOI_RESOLVER", "https://doi.org/")  # not the test server's
    files = handbook(1)
    files[f"{HB}/section1/index.md"] = section_page(1, total=1, body="""## 1.1 A

[a](//cdn.org/lib.js) [b](https://skip.org/x) [c](http://localhost:8888/tree)
""")
    files[BIB] = r"""@misc{w,
  title = {W},
  url = {https://site.org/a\_b},
  doi = {https://doi.org/10.5555/X.1},
}
"""
    files["README.md"] = "[readme](https://only-github.org/)\n"
    write_tree(tmp_path, {**files, "_config.yml": "markdown: kramdown\n"})
    with chdir(tmp_path):
        config = Config.model_validate({"links": {"exclude": ["^https://skip\\.org/"]}})
        uses = collect_mod.collect_urls(load_site([Path(".")], config), [re.compile(p) for p in config.links.exclude])
    assert set(uses) == {"https://cdn.org/lib.js", "https://site.org/a_b", "https://doi.org/10.5555/X.1"}
    cdn = uses["https://cdn.org/lib.js"][0]
    assert (cdn.written, cdn.exact) == ("//cdn.org/lib.js", True)
    escaped = uses["https://site.org/a_b"][0]
    assert (escaped.line, escaped.column, escaped.exact) == (3, 10, False)  # `\_` as written: never rewritten
    doi = uses["https://doi.org/10.5555/X.1"][0]
    assert (doi.path, doi.line, doi.written, doi.is_doi) == (BIB, 4, "10.5555/X.1", True)


def _use(written: str, source: str = "page") -> UrlUse:
    return UrlUse("p.md", 3, 5, written, None, source, exact=True)


@pytest.mark.parametrize(("use", "result", "expected"), [
    # doi.org redirected: the DOI is registered, whatever the publisher answers
    (_use("10.1/x", "bib-doi"), LinkResult("https://doi.org/10.1/x", UNAVAILABLE, 403,
                                           redirects=[("https://pub.org/x", 302)]), []),
    (_use("10.1/x", "bib-doi"), LinkResult("https://doi.org/10.1/x", BROKEN, 404), [("FM409", False)]),
    (_use("https://a.org/x"), LinkResult("https://a.org/x", OK, 200, redirects=[("https://a.org/y", 302)]), []),
    (_use("https://a.org/x"), LinkResult("https://a.org/x", OK, 200, redirects=[("https://b.org/x", 301)]),
     [("FM412", False)]),  # another host: reported, not rewritten
    (_use("http://a.org/x"), LinkResult("http://a.org/x", OK, 200, redirects=[("https://www.a.org/x", 308)]),
     [("FM412", True)]),
    (_use("https://a.org/x"), LinkResult("https://a.org/x", OK, 200,
                                         redirects=[("https://a.org/x?cookies=1", 301)]), [("FM412", False)]),
    (_use("https://a.org/x"), LinkResult("https://a.org/x", UNAVAILABLE, 403), [("FM411", False)]),
    (_use("https://a.org/x"), LinkResult("https://a.org/x", BROKEN, 404, redirects=[("https://a.org/y", 301)]),
     [("FM409", False)]),  # moved, then gone: only the dead end
])
def test_results_become_findings(use, result, expected):
    found = list(findings(use, result.url, result, 10))
    assert [(d.code, d.fixable) for d in found] == expected
    assert all((d.path, d.line, d.column) == ("p.md", 3, 5) for d in found)


def test_offline_a_suppression_of_an_online_code_is_not_reported_unused(tmp_path):
    files = handbook(1)
    files[f"{HB}/section1/index.md"] = section_page(1, total=1, body="""## 1.1 A

<!-- fmlint: disable FM409 -->
[a paper that moved away](https://papers.org/old)
""")
    diags = check_tree(tmp_path, files, snippets={"cache": False})
    assert [d for d in diags if d.code == "FM007"] == []
