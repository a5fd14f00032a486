"""The request guards on the real server (loopback only): a reader's session may not park files in
the server's memory, deep links reach their page, a link's thousand junk parameters do not cost
it its date. With and without a base path (STREAMLIT_SERVER_BASE_URL_PATH)."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
from websockets.sync.client import ClientConnection, connect

from tests.harness import AppServer

BOUNDARY = "sm-test-boundary"


@pytest.fixture(scope="module")
def plain() -> Iterator[AppServer]:
    """The shipped configuration: editor off, served at /."""
    server = AppServer(env={"SITUATION_MAP_EDITOR": ""})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def editor() -> Iterator[AppServer]:
    """Editor on, under a base path, as behind the proxy."""
    server = AppServer(base_path="situation", env={"SITUATION_MAP_EDITOR": "1"})
    yield server
    server.stop()


class Session:
    """A reader's session as its page holds it: a websocket with the XSRF token, and the session
    id the server announced (what the page's uploads name)."""

    def __init__(self, server: AppServer) -> None:
        self.server, self.token = server, generate_xsrf_token_string()
        self.prefix = f"/{server.base_path}" if server.base_path else ""
        self.ws: ClientConnection = connect(  # closed in close(), after the test's uploads
            f"ws://127.0.0.1:{server.port}{self.prefix}/_stcore/stream", subprotocols=["streamlit", self.token],
            additional_headers={"Cookie": f"_streamlit_xsrf={self.token}"}, max_size=None, open_timeout=30)
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        rerun.rerun_script.page_script_hash = ""
        self.ws.send(rerun.SerializeToString())
        self.id = ""
        while not self.id:
            message = ForwardMsg()
            message.ParseFromString(self.ws.recv(timeout=90))
            if message.WhichOneof("type") == "new_session":
                self.id = message.new_session.initialize.session_id

    def upload(self, size: int, chunked: bool = False, method: str = "PUT", file_id: str = "f1") -> int:
        """Send a file of `size` bytes as the page's uploader does (multipart, XSRF header and
        cookie); the status the server answered."""
        head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
                "Content-Type: text/plain\r\n\r\n").encode()
        body = head + b"a" * size + f"\r\n--{BOUNDARY}--\r\n".encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        conn.putrequest(method, f"{self.prefix}/_stcore/upload_file/{self.id}/{file_id}")
        for name, value in (("Content-Type", f"multipart/form-data; boundary={BOUNDARY}"),
                            ("X-Xsrftoken", self.token), ("Cookie", f"_streamlit_xsrf={self.token}")):
            conn.putheader(name, value)
        conn.putheader(*(("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(len(body)))))
        conn.endheaders()
        try:
            for start in range(0, len(body), 65536):
                part = body[start:start + 65536]
                conn.send(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            if chunked:
                conn.send(b"0\r\n\r\n")
        except OSError:
            pass  # a refusal may come before the whole body is sent: its status is what counts
        with conn.getresponse() as response:
            response.read()
            conn.close()
            return response.status

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def session(plain: AppServer) -> Iterator[Session]:
    s = Session(plain)
    yield s
    s.close()


@pytest.fixture
def editor_session(editor: AppServer) -> Iterator[Session]:
    s = Session(editor)
    yield s
    s.close()


def test_a_readers_session_cannot_upload_while_the_editor_is_off(session):
    """Issue #21 (10): four 50 MB uploads were accepted (204) into the server's memory."""
    assert session.upload(2_000_000) == 403
    assert session.upload(1000) == 403, "not even a small one: no page shows an upload widget"
    assert session.upload(2_000_000, chunked=True) == 403


def test_an_editor_upload_is_accepted_up_to_the_editors_limit(editor_session):
    assert editor_session.upload(199_000) == 204, "an article the editor reads (200 KB)"
    assert editor_session.upload(199_000, chunked=True, file_id="f2") == 204


def test_an_editor_session_holds_a_bounded_number_of_files(editor_session):
    """The editor's uploader holds one file; a page adding file after file is refused."""
    from dashboard.serving.guards import MAX_FILES_PER_SESSION

    for i in range(MAX_FILES_PER_SESSION):
        assert editor_session.upload(1000, file_id=f"n{i}") == 204, i
    assert editor_session.upload(1000, file_id="one-more") == 429
    assert editor_session.upload(1000, file_id="n0") == 204, "a replaced file adds nothing"
    assert editor_session.upload(0, method="DELETE", file_id="n1") == 204
    assert editor_session.upload(1000, file_id="one-more") == 204, "room again after a removal"


@pytest.mark.parametrize("chunked", [False, True])
def test_an_editor_upload_above_the_limit_is_refused(editor_session, chunked):
    assert editor_session.upload(400_000, chunked=chunked) == 413
    assert editor_session.upload(5_000_000, chunked=chunked, file_id="big") == 413


def get(server: AppServer, path: str, method: str = "GET") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def assert_page_loads(server: AppServer, path: str) -> None:
    """The page's HTML and every script and stylesheet it names, resolved against the address the
    browser ends on, come back as what they are (a deep path made them HTML: a white page)."""
    origin = f"http://127.0.0.1:{server.port}"
    url = origin + path
    for _ in range(3):  # as a browser follows redirects
        response = get(server, url.removeprefix(origin))
        if response.status not in (301, 302):
            break
        url = urljoin(url, response.headers["Location"])
        assert url.startswith(origin + "/"), url
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/html"), url
    assets = re.findall(r'(?:src|href)="(\./static/[^"]+\.(?:js|css))"', response.body.decode())
    assert assets
    for asset in assets:
        loaded = get(server, urljoin(url, asset).removeprefix(origin))
        assert loaded.status == 200 and "html" not in loaded.headers["Content-Type"], (url, asset)


@pytest.mark.parametrize("deep,page", [("/sources/x", "/sources"), ("/about/x", "/about"), ("/map/x/y/z", "/"),
                                       ("//map", "/"), ("/map%2Fx", "/"), ("/map/../sources", "/"),
                                       ("//sources", "/sources"), ("/%2e%2e/about", "/")])
def test_a_deep_link_reaches_its_page_with_a_notice(plain, editor, deep, page):
    """Issue #21 (11): deep paths served the HTML with scripts that resolved to HTML."""
    for server, prefix in ((plain, ""), (editor, "/situation")):
        for method in ("GET", "HEAD"):
            response = get(server, prefix + deep, method)
            assert response.status == 302, (prefix, deep, method)
            assert response.headers["Location"] == f"{prefix}{page}?notice=path"  # the map: the base
        assert_page_loads(server, prefix + deep)


def test_a_link_with_a_thousand_junk_parameters_keeps_its_date(plain, editor):
    """Issue #21 (16): with 1,001 junk parameters Streamlit dropped the whole query, date included."""
    junk = "&".join(f"j{i}=1" for i in range(1001))
    for server, prefix in ((plain, ""), (editor, "/situation")):
        response = get(server, f"{prefix}/?{junk}&date=2024-09-01")
        assert response.status == 302
        assert response.headers["Location"] == f"{prefix}/?date=2024-09-01&notice=params"
    assert get(plain, "/?date=2024-09-01&zoom=9").status == 200, "an ordinary link is served as it is"
    assert get(plain, "/sources?date=2024-09-01").status == 200
