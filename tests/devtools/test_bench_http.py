"""The closed-loop clients of the page bench (`benchmarks/http.py`)."""

import http.server
import threading

from maillage.devtools.benchmarks import http as bench_http


class Counting(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # kept-alive connections, as the clients use them
    answered = 0
    lock = threading.Lock()

    def do_GET(self):  # the standard library's name
        with Counting.lock:
            Counting.answered += 1
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_least_number_of_requests_is_counted_over_every_client():
    """Past its time, a run stops once all clients together sent the least number asked: 50
    clients once sent that number each (5,000 requests for 100, minutes per page)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"127.0.0.1:{server.server_address[1]}"
        figures = bench_http.load(address, "/", clients=5, seconds=0, min_requests=20)
    finally:
        server.shutdown()
        server.server_close()
    # Each client may have one request in flight when the count is reached.
    assert 20 <= Counting.answered <= 20 + 5
    assert figures["clients"] == 5
