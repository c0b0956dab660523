#!/usr/bin/env python3
"""HTTP forwarding proxy for tests/e2e/s3_real_registry.sh: kills a regsweep run between two
of its DeleteObjects batches.

regsweep talks to the proxy (its S3 endpoint, AWS_ENDPOINT_URL, points here); the proxy
forwards every request unchanged to the real S3 endpoint (the Ceph RGW of
scripts/ceph-rgw.sh) and returns the answer: same method, same request target (path and
query, as sent: nothing re-encoded), same headers -- Host included, so the SigV4 signature,
which signs Host, still verifies at the endpoint (RGW accepts a Host naming the proxy's port,
as the test's uninterrupted run through the proxy shows) -- and the same body (Content-Length,
or chunked, forwarded as chunked). Only hop-by-hop headers (Connection, Keep-Alive, Expect, ...) are the proxy's own. Each client connection has
its own keep-alive HTTP/1.1 connection to the endpoint; connections are served concurrently
(ThreadingHTTPServer).

It counts DeleteObjects requests (POST with a `delete` query parameter). With --kill-after K,
once the endpoint's answer to the K-th one has been received in full -- so batch K has really
been carried out -- the proxy sends SIGKILL to the process whose pid is in --pid-file (after
checking that its command line names --expect-name), waits until that process is gone (or a
zombie), and drops the connection *instead of* returning the answer: the run dies not knowing
whether batch K happened, the worst moment for it. From then on the proxy forwards nothing
(every later request, on any connection, gets its connection closed), so no request of that
run reaches the endpoint after batch K.

Usage:
  s3_kill_proxy.py --upstream http://127.0.0.1:PORT --port-file FILE [--log FILE]
                   [--kill-after K --pid-file FILE [--expect-name regsweep]]

It listens on 127.0.0.1 on a free port, and writes that port to --port-file (atomically) once
it accepts connections. It runs until it gets SIGTERM. The log has one line per request, the
keys of every DeleteObjects batch, and these lines the test reads:
  DeleteObjects #N: HTTP S, M keys
  killed PID after DeleteObjects #K
  KILL FAILED: REASON
Standard library only.
"""

import argparse
import http.client
import http.server
import os
import re
import signal
import sys
import threading
import time
import urllib.parse

# Hop-by-hop headers: they describe one connection, not the request or answer, so the proxy
# neither forwards them nor returns them (RFC 9110 7.6.1). Expect is the proxy's own as well:
# http.server already answered "100 Continue" to the client when it asked.
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "proxy-authenticate",
    "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "expect",
}


class State:
    """What the handler threads share."""

    def __init__(self, args):
        self.upstream = urllib.parse.urlsplit(args.upstream)
        if self.upstream.scheme != "http" or not self.upstream.hostname:
            sys.exit("s3_kill_proxy: --upstream must be http://HOST:PORT")
        self.kill_after = args.kill_after
        self.pid_file = args.pid_file
        self.expect_name = args.expect_name
        self.lock = threading.Lock()
        self.deletes = 0          # DeleteObjects requests sent upstream
        self.killed = False       # once set, nothing more is forwarded
        self.requests = 0
        self.log_file = open(args.log, "a", buffering=1) if args.log else sys.stderr

    def log(self, line):
        with self.lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()

    def connect(self):
        return http.client.HTTPConnection(self.upstream.hostname, self.upstream.port or 80,
                                          timeout=120)

    def kill_target(self):
        """SIGKILL the process named in pid_file; waits until it is gone. Returns an error
        message, or None."""
        try:
            with open(self.pid_file) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError) as e:
            return f"no pid in {self.pid_file}: {e}"
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError as e:
            return f"process {pid}: {e}"
        name = os.path.basename(argv[0].decode(errors="replace")) if argv else ""
        if self.expect_name not in name:
            return f"process {pid} is {name!r}, not {self.expect_name!r}: not killed"
        os.kill(pid, signal.SIGKILL)
        # Gone, or a zombie waiting for its parent: either way it runs no more code.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
            except OSError:
                break
            if stat[stat.rindex(")") + 2] in "ZX":
                break
            time.sleep(0.001)
        else:
            return f"process {pid} still running 10 s after SIGKILL"
        self.log(f"killed {pid} after DeleteObjects #{self.deletes}")
        return None


def is_delete_objects(method, target):
    if method != "POST":
        return False
    query = urllib.parse.urlsplit(target).query
    return "delete" in urllib.parse.parse_qs(query, keep_blank_values=True)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive towards the client
    # TCP_NODELAY (http.client sets it upstream): with Nagle's algorithm and delayed ACKs, an
    # answer written as headers then body waits ~40 ms for the client's ACK.
    disable_nagle_algorithm = True
    state = None  # set in main()
    upstream = None  # this client connection's connection to the endpoint

    def log_message(self, format, *args):  # http.server's own messages (errors)
        self.state.log("http.server: " + (format % args))

    def finish(self):
        try:
            super().finish()
        finally:
            if self.upstream is not None:
                self.upstream.close()

    def read_body(self):
        """The request body as received, and whether it is chunked (then: raw, framing and
        all, to be forwarded as is)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raw = bytearray()
            while True:
                line = self.rfile.readline(65537)
                raw += line
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while True:  # trailer fields, then the empty line
                        line = self.rfile.readline(65537)
                        raw += line
                        if line in (b"\r\n", b"\n", b""):
                            return bytes(raw), True
                raw += self.rfile.read(size + 2)  # data and its CRLF
        length = int(self.headers.get("Content-Length", "0") or "0")
        return (self.rfile.read(length) if length else b""), False

    def forward(self, body, chunked):
        """Sends the request upstream; returns (status, reason, headers, answer body)."""
        for attempt in (1, 2):
            fresh = self.upstream is None
            if fresh:
                self.upstream = self.state.connect()
            try:
                conn = self.upstream
                conn.putrequest(self.command, self.path, skip_host=True,
                                skip_accept_encoding=True)
                for name, value in self.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        conn.putheader(name, value)
                if chunked:
                    conn.putheader("Transfer-Encoding", "chunked")
                    conn.endheaders()
                    conn.send(body)
                else:
                    conn.endheaders(body or None)  # headers and body in one send()
                answer = conn.getresponse()
                data = answer.read()
                headers = answer.getheaders()
                if answer.will_close:
                    conn.close()
                    self.upstream = None
                return answer.status, answer.reason, headers, data
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError) as e:
                # The endpoint closed a kept-alive connection: once more on a new one.
                self.upstream.close()
                self.upstream = None
                if fresh or attempt == 2:
                    raise e
        raise AssertionError("unreachable")

    def drop(self):
        self.close_connection = True

    def handle_any(self):
        state = self.state
        body, chunked = self.read_body()
        delete = is_delete_objects(self.command, self.path)
        with state.lock:
            state.requests += 1
            number = state.requests
            killed = state.killed
        if killed:
            state.log(f"{number} {self.command} {self.path}: not forwarded (killed)")
            return self.drop()
        try:
            status, reason, headers, data = self.forward(body, chunked)
        except (OSError, http.client.HTTPException) as e:
            if self.upstream is not None:  # in an unknown state: the next request opens anew
                self.upstream.close()
                self.upstream = None
            state.log(f"{number} {self.command} {self.path}: upstream failed: {e!r}")
            message = f"s3_kill_proxy: upstream failed: {e!r}\n".encode()
            self.send_response_only(502)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(message)))
            self.end_headers()
            self.wfile.write(message)
            return None
        state.log(f"{number} {self.command} {self.path} -> {status} ({len(data)} bytes)")
        if delete:
            keys = re.findall(rb"<Key>(.*?)</Key>", body)
            with state.lock:
                state.deletes += 1
                k = state.deletes
                kill = state.kill_after is not None and k == state.kill_after
                if kill:
                    state.killed = True  # before the lock is released: nothing more goes out
            state.log(f"DeleteObjects #{k}: HTTP {status}, {len(keys)} keys")
            for key in keys:
                state.log(f"  - {key.decode(errors='replace')}")
            if kill:
                problem = state.kill_target()
                if problem is not None:
                    state.log(f"KILL FAILED: {problem}")
                return self.drop()  # the answer is never returned
        self.send_response_only(status, reason)
        no_body = self.command == "HEAD" or status in (204, 304) or 100 <= status < 200
        for name, value in headers:
            lower = name.lower()
            if lower in HOP_BY_HOP or (lower == "content-length" and not no_body):
                continue
            self.send_header(name, value)
        if not no_body:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not no_body:
            self.wfile.write(data)
        self.wfile.flush()
        return None

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_OPTIONS = do_PATCH = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # listen() backlog: socketserver's default of 5 drops the connections a client opens at
    # once beyond it (regsweep: up to --io-depth), and each then waits a SYN retry (1 s+)
    request_queue_size = 256


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="http://HOST:PORT of the S3 endpoint")
    parser.add_argument("--port-file", required=True, help="write the listening port here")
    parser.add_argument("--log", help="log file (default: stderr)")
    parser.add_argument("--kill-after", type=int, help="SIGKILL after the K-th DeleteObjects")
    parser.add_argument("--pid-file", help="holds the pid to kill")
    parser.add_argument("--expect-name", default="regsweep",
                        help="kill only a process whose argv[0] contains this (default: regsweep)")
    args = parser.parse_args()
    if args.kill_after is not None and (args.kill_after < 1 or not args.pid_file):
        parser.error("--kill-after K needs K >= 1 and --pid-file")
    Handler.state = State(args)
    server = Server(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.replace(tmp, args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
