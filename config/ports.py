"""Whether a server could listen on an address, checked before anything slow starts.

Standard library only: `make run` asks before the virtualenv exists.

    python3 -m config.ports HOST PORT    (exit status 1 and one line on stderr when taken)
"""

import errno
import socket
import sys

# The port README suggests for a second `make run`; the next free one after it is offered.
SUGGESTED_PORT = 8011


def listen_error(host: str, port: int) -> OSError | None:
    """Why binding host:port would fail, or None. SO_REUSEADDR as servers set it, so a port
    whose last connections are still in TIME_WAIT counts as free."""
    try:
        family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as error:
        return error
    return None


def free_port_from(host: str, first: int) -> int | None:
    return next((p for p in range(first, first + 100) if listen_error(host, p) is None), None)


def busy_port_message(host: str, port: int, retry_command: str) -> str | None:
    """One line saying why host:port cannot be served and what to run instead, or None.

    retry_command is formatted with the suggested port, e.g. "make run PORT={port}".
    """
    error = listen_error(host, port)
    if error is None:
        return None
    if error.errno == errno.EADDRINUSE:
        suggestion = free_port_from(host, SUGGESTED_PORT if port != SUGGESTED_PORT else port + 1)
        advice = f"; run `{retry_command.format(port=suggestion)}`" if suggestion else ""
        return f"Port {port} on {host} is already in use{advice}."
    return f"Cannot listen on {host}:{port}: {error.strerror or error}."


def main(argv: list[str]) -> int:
    host, port_text = argv[1], argv[2]
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        print(f"PORT must be a number from 1 to 65535, not {port_text!r}.", file=sys.stderr)
        return 1
    message = busy_port_message(host, int(port_text), "make run PORT={port}")
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
