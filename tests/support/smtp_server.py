#!/usr/bin/python3
"""An SMTP server for the mail tests, on aiosmtpd (Debian's python3-aiosmtpd).

Started by tests/support/smtp_server.cc, never by hand. Listens on 127.0.0.1:PORT in one of three
modes (plain, STARTTLS required, implicit TLS), optionally with AUTH required for one user.

Each message received is written to OUT as NNNNNN.json (numbered from FIRST) (written to a temporary name first, then
renamed, so a reader never sees half a file): the envelope, the raw data as received (base64),
and what Python's own e-mail parser makes of it (subject, sender, plain and HTML bodies, any
defects), so that the tests check our encoding against an independent decoder.

Readiness: the file READY appears once the server answers. Exit status 3 when aiosmtpd is not
installed; SIGTERM (or the test program's death) stops it.
"""
import argparse
import base64
import email
import email.policy
import json
import logging
import os
import signal
import ssl
import sys
import threading
import warnings

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError:
    print("smtp_server.py: python3-aiosmtpd is not installed", file=sys.stderr)
    sys.exit(3)


def parse(raw):
    """What a reader would see: decoded headers and bodies, with the parser's complaints."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [type(d).__name__ for part in message.walk() for d in part.defects]
    for part in message.walk():
        for _, value in part.items():
            defects += [type(d).__name__ for d in getattr(value, "defects", ())]
    sender = message["from"]
    result = {
        "subject": str(message["subject"] or ""),
        "from_name": sender.addresses[0].display_name if sender and sender.addresses else "",
        "from_address": sender.addresses[0].addr_spec if sender and sender.addresses else "",
        "to": str(message["to"] or ""),
        "content_type": message.get_content_type(),
        "defects": defects,
    }
    for kind in ("plain", "html"):
        body = message.get_body(preferencelist=(kind,))
        # Line ends as the text had them before CRLF became the rule on the wire.
        result[kind] = body.get_content().replace("\r\n", "\n") if body is not None else None
    return result


class Handler:
    def __init__(self, out, first, refused):
        self.out = out
        self.refused = {address.lower() for address in refused}
        self.count = first - 1
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "raw": base64.b64encode(raw).decode("ascii"),
            "authenticated": bool(session.authenticated),
        }
        try:
            record.update(parse(raw))
        except Exception as error:  # the test reports it; the server keeps going
            record["defects"] = ["parse failed: %s" % error]
        with self.lock:
            self.count += 1
            name = os.path.join(self.out, "%06d.json" % self.count)
        with open(name + ".tmp", "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.rename(name + ".tmp", name)
        return "250 OK"


class Authenticator:
    def __init__(self, username, password):
        self.username = username.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.username
              and auth_data.password == self.password)
        # handled=False: aiosmtpd itself answers 535 to a refused login.
        return AuthResult(success=ok, handled=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=("plain", "starttls", "tls"), required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--first", type=int, default=1, help="number of the first message file (after a restart)")
    parser.add_argument("--ready", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--refuse", action="append", default=[])
    args = parser.parse_args()
    # AUTH without TLS is what the plain mode is for; aiosmtpd's warnings about it are noise here.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    # Blocked before the server's threads start, so that they inherit the mask and sigwait below
    # is the one place the signals arrive.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})

    kwargs = {"server_hostname": "localhost", "ready_timeout": 20}
    if args.mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context)
    if args.username is not None:
        kwargs.update(authenticator=Authenticator(args.username, args.password or ""), auth_required=True,
                      auth_require_tls=False)

    controller = Controller(Handler(args.out, args.first, args.refuse), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    with open(args.ready + ".tmp", "w") as file:
        file.write("ready\n")
    os.rename(args.ready + ".tmp", args.ready)

    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
