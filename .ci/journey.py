"""The newcomer's journey against a running `make run`, through the real admin views over
HTTP, as the demo users:

1. the home page and the admin login answer; each demo user signs in with their password
   and a second factor: at the first sign-in they set up an authenticator app from the
   key the enrolment page shows (this script computes the app's codes from it, RFC 6238),
   and at later sign-ins they enter its current code;
2. the communications officer writes a press release with an embargo (its go-live time)
   a minute or two ahead and submits it; the co-ordinator (`approver`) passes the first
   sign-off step and the spokesperson the second; the release is scheduled, absent from
   its address, and published by Celery beat within two minutes of its time;
3. an approver sends a test of the demo campaign (its links work) and then the campaign
   to its segment: one file per recipient appears in the mail folder, each addressed to
   that resident only, merged, with List-Unsubscribe headers whose links unsubscribe them
   (with --restored, on an install restored from a backup taken after a journey: the
   campaign is found sent, both unsubscribes kept, and it cannot be sent again);
4. the neighbourhood officer orders a print run of leaflets, a worker renders it, and
   its PDF downloads.

    .venv/bin/python .ci/journey.py --base-url http://127.0.0.1:8079 --mail-dir var/mail

Exits non-zero with the failing step's message.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import http.cookiejar
import json
import re
import struct
import sys
import time
import uuid
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

TIME_ZONE = ZoneInfo("Europe/London")  # the admin's default: settings.TIME_ZONE
PASSWORDS = {
    "neighbourhood": "signpost-neighbourhood",
    "comms": "signpost-comms",
    "approver": "signpost-approver",
    "spokesperson": "signpost-spokesperson",
}
CAMPAIGN = "May update, all areas"


class JourneyFailed(Exception):
    pass


# Set by --behind-proxy: every request carries what the TLS-terminating load balancer adds.
BEHIND_PROXY = False


def browser_session() -> requests.Session:
    """A browser's session. Behind the proxy (production settings: HTTPS only, secure
    cookies), it plays the load balancer's part for plain HTTP on the loopback: each
    request says it arrived over HTTPS, and cookies marked Secure are sent back."""
    session = requests.Session()
    if BEHIND_PROXY:
        session.headers["X-Forwarded-Proto"] = "https"
    return session


def anonymous() -> requests.Session:
    """A resident's browser, fresh for each visit."""
    return browser_session()


def as_seen_by_the_site(url: str) -> str:
    """The address the browser shows: https behind the proxy."""
    return url.replace("http://", "https://", 1) if BEHIND_PROXY else url


def check(condition, message):
    if not condition:
        raise JourneyFailed(message)


def step(message):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


class FormFields(HTMLParser):
    """The named fields of one form, with the values a browser would send unchanged."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in {"submit", "button", "checkbox", "radio"}:
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "input" and "checked" in attrs:
            self.fields[attrs["name"]] = attrs.get("value") or "on"
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
        elif (
            tag == "option"
            and self._select
            and ("selected" in attrs or self._select not in self.fields)
        ):
            self.fields[self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html, form_id):
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def rich_text(paragraph: str) -> str:
    """A Draftail editor's value for one paragraph, as the admin's rich text field posts it."""
    block = {"key": uuid.uuid4().hex[:5], "type": "unstyled", "depth": 0, "text": paragraph}
    block.update(inlineStyleRanges=[], entityRanges=[], data={})
    return json.dumps({"blocks": [block], "entityMap": {}})


class Authenticator:
    """The demo users' authenticator app: the keys they set up at their first sign-in, and
    the time step each code was last used in (a code is accepted once)."""

    keys: dict[str, bytes] = {}
    last_step: dict[str, int] = {}
    file: Path | None = None  # --authenticator-file: the phone outlives the journey

    @classmethod
    def load(cls, path: Path | None):
        cls.file = path
        if path and path.exists():
            saved = json.loads(path.read_text())
            cls.keys = {user: base64.b32decode(key) for user, key in saved["keys"].items()}
            cls.last_step = saved["last_step"]

    @classmethod
    def save(cls):
        if cls.file:
            keys = {user: base64.b32encode(key).decode() for user, key in cls.keys.items()}
            cls.file.write_text(json.dumps({"keys": keys, "last_step": cls.last_step}))

    @classmethod
    def set_up(cls, username, page_html):
        secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page_html)
        check(secret, f"the enrolment page for {username} shows no key")
        cls.keys[username] = base64.b32decode(secret.group(1).replace(" ", ""))
        cls.save()

    @classmethod
    def code(cls, username) -> str:
        check(
            username in cls.keys,
            f"{username} already has an authenticator app this journey did not set up "
            f"(reset it: manage.py reset_second_factor {username})",
        )
        step = int(time.time() // 30)
        if step <= cls.last_step.get(username, -1):
            time.sleep(30 - time.time() % 30 + 0.5)
            step = int(time.time() // 30)
        cls.last_step[username] = step
        cls.save()
        digest = hmac.new(cls.keys[username], struct.pack(">Q", step), hashlib.sha1).digest()
        offset = digest[-1] & 0x0F
        number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
        return f"{number % 1_000_000:06d}"


class Staff:
    """A demo user's browser session: signed in through the admin's login form and the
    second-factor step (setting up the authenticator app at the first sign-in)."""

    def __init__(self, base, username):
        self.base, self.username = base, username
        self.http = browser_session()
        login = self.get("/admin/login/")
        response = self.post(
            "/admin/login/",
            {"username": username, "password": PASSWORDS[username], "next": "/admin/"},
            page=login,
        )
        if "/login/second-factor/enrol/" in response.url:
            Authenticator.set_up(username, response.text)
            codes = self.post(
                "/login/second-factor/enrol/",
                {"otp_token": Authenticator.code(username), "next": "/admin/"},
                page=response,
            )
            check('id="recovery-codes"' in codes.text, f"{username} was shown no recovery codes")
            step(f"{username} set up an authenticator app and received recovery codes")
            response = self.get("/admin/")
        elif "/login/second-factor/" in response.url:
            response = self.post(
                "/login/second-factor/",
                {"otp_token": Authenticator.code(username), "next": "/admin/"},
                page=response,
            )
        check(
            response.url.rstrip("/").endswith("/admin"),
            f"{username} could not sign in (ended at {response.url})",
        )

    def get(self, path, **kwargs):
        response = self.http.get(self.base + path, timeout=60, **kwargs)
        check(response.status_code == 200, f"GET {path} as {self.username}: {response.status_code}")
        return response

    def post(self, path, data, *, page):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        check(token, f"no CSRF token on {page.url}")
        response = self.http.post(
            self.base + path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Referer": as_seen_by_the_site(page.url)},
            timeout=120,
        )
        check(
            response.status_code == 200, f"POST {path} as {self.username}: {response.status_code}"
        )
        return response

    def page_api(self, **filters):
        return self.get("/admin/api/main/pages/", params=filters).json()["items"]


def wait_until_up(base, timeout):
    deadline = time.monotonic() + timeout
    for path in ("/", "/admin/login/"):
        while True:
            try:
                if anonymous().get(base + path, timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            check(time.monotonic() < deadline, f"{base}{path} did not answer in {timeout} s")
            time.sleep(2)
        step(f"{base}{path} answers")


def embargo_time() -> datetime.datetime:
    """At least a minute ahead, on a whole minute (the admin's field has minutes)."""
    now = datetime.datetime.now(TIME_ZONE)
    return (now + datetime.timedelta(minutes=2)).replace(second=0, microsecond=0)


def write_and_submit_release(base, embargo):
    comms = Staff(base, "comms")
    newsroom = comms.page_api(slug="news")
    check(newsroom, "the demo newsroom (/news/) is missing")
    add_path = f"/admin/pages/add/engagement/pressreleasepage/{newsroom[0]['id']}/"
    page = comms.get(add_path)
    fields = form_fields(page.text, "page-edit-form")
    check("go_live_at" in fields, "the release form has no go-live (embargo) field")
    slug = f"journey-{uuid.uuid4().hex[:8]}"
    fields.update(
        {
            "title": f"Journey check: Eastfield closure order ({slug})",
            "slug": slug,
            "summary": "A closure order for a flat used for dealing on Eastfield Parade.",
            "body-count": "1",
            "body-0-type": "paragraph",
            "body-0-value": rich_text("Harbridge Police were granted a closure order today."),
            "body-0-deleted": "",
            "body-0-order": "0",
            "body-0-id": "",
            "spokesperson_quote": "Residents told us, and we acted.",
            "quote_attribution": "Inspector Daniel Okafor",
            "notes_to_editors": rich_text("Safer Harbridge is a partnership."),
            "media_contact_name": "Priya Shah",
            "media_contact_phone": "01632 960 200",
            "media_contact_email": "press@harbridge.example.org",
            "go_live_at": embargo.strftime("%Y-%m-%d %H:%M"),
            "expire_at": "",
            "action-submit": "Submit to Press release sign-off",
        }
    )
    response = comms.post(add_path, fields, page=page)
    check("/edit/" not in response.url, f"submitting the release was refused: {errors(response)}")
    release = comms.page_api(slug=slug)
    check(release, "the submitted release is not in the page tree")
    step(f"comms submitted release {release[0]['id']} with an embargo of {embargo:%H:%M}")
    return release[0]["id"], slug


def errors(response) -> str:
    found = re.findall(
        r'class="[^"]*error-message[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)', response.text
    )
    return "; ".join(m.strip() for m in found) or "no error message shown"


def approve_step(base, username, release_id):
    reviewer = Staff(base, username)
    edit = reviewer.get(f"/admin/pages/{release_id}/edit/")
    # The editor's "Approve with comment" names the task; its "Approve" posts to this view.
    task = re.search(rf"/collect_action_data/{release_id}/approve/(\d+)/", edit.text)
    check(task, f"{username} is not offered 'Approve' on release {release_id}")
    action = f"/admin/pages/workflow/action/{release_id}/approve/{task.group(1)}/"
    reviewer.post(action, {"comment": ""}, page=edit)
    step(f"{username} approved their step")
    return reviewer


def wait_for_go_live(base, slug, embargo):
    url = f"{base}/news/{slug}/"
    deadline = embargo + datetime.timedelta(minutes=2)
    while True:
        status = anonymous().get(url, timeout=30).status_code
        now = datetime.datetime.now(TIME_ZONE)
        if status == 200:
            check(now >= embargo, f"{url} was public before its embargo ({embargo:%H:%M})")
            step(f"the release went live {(now - embargo).total_seconds():.0f} s after its embargo")
            return
        check(status == 404, f"{url} answered {status} before going live")
        check(now < deadline, f"{url} was not live two minutes after its embargo")
        time.sleep(3)


def mail_files(mail_dir: Path) -> set[str]:
    return {p.name for p in mail_dir.glob("*.eml")}


def read_mail(path: Path):
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def check_links_work(base, message, *, expect_sample):
    text = message.get_body(("plain",)).get_content()
    links = re.findall(rf"{re.escape(base)}/newsletters/[^\s)>\"]+", text)
    check(links, "no unsubscribe or preferences link in the plain-text part")
    for link in links:
        response = anonymous().get(link, timeout=30)
        check(response.status_code == 200, f"{link} answered {response.status_code}")
        check("This link does not work" not in response.text, f"{link} says it does not work")
    if expect_sample:
        check(any("/newsletters/sample/" in link for link in links), "test links are not samples")


def campaign_journey(base, mail_dir: Path):
    approver = Staff(base, "approver")
    listing = approver.get("/admin/newsletters/campaigns/")
    found = re.search(
        rf'/admin/newsletters/campaigns/edit/(\d+)/">\s*{re.escape(CAMPAIGN)}', listing.text
    )
    check(found, f"the demo campaign '{CAMPAIGN}' is not listed")
    manage_path = f"/admin/newsletters/campaigns/{found.group(1)}/manage/"
    manage = approver.get(manage_path)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", manage.text))
    count = re.search(r"(\d+) subscribers? would receive this now", words)
    check(count, "the campaign page does not say who would receive it")
    expected = int(count.group(1))

    before = mail_files(mail_dir)
    approver.post(
        manage_path.replace("/manage/", "/test/"),
        {"addresses": "approver@harbridge.example.org"},
        page=manage,
    )
    test_files = [n for n in wait_for_files(mail_dir, before, 1) if "approver@" in n]
    check(len(test_files) == 1, f"the test email left {len(test_files)} files for the approver")
    test_mail = read_mail(mail_dir / test_files[0])
    check(test_mail["Subject"].startswith("[Test]"), "the test email's subject has no [Test]")
    check_links_work(base, test_mail, expect_sample=True)
    step("the test email arrived and its links work")

    before = mail_files(mail_dir)
    # "Send now" asks first, naming how many will receive it; the second click sends.
    send_path = manage_path.replace("/manage/", "/send/")
    confirm = approver.get(send_path)
    check(
        f"<strong>{expected}</strong> subscriber" in confirm.text,
        f"the confirmation does not say {expected} recipients",
    )
    sent = approver.post(send_path, {"confirmed": "yes"}, page=confirm)
    check("Sending has started" in sent.text, "the confirmed send did not start")
    # The release may go live meanwhile and email the media: count the campaign's files.
    new = wait_for_files(
        mail_dir,
        before,
        expected,
        keep=lambda n: not read_mail(mail_dir / n)["Subject"].startswith("Press release"),
    )
    step(f"the campaign left {len(new)} files for {expected} recipients")
    check(len(new) == expected, f"{len(new)} files for {expected} recipients")
    recipients = set()
    for name in sorted(new):
        message = read_mail(mail_dir / name)
        to = message["To"].addresses
        check(len(to) == 1, f"{name} is addressed to {len(to)} people")
        recipients.add(to[0].addr_spec)
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for part in (message["Subject"], text, html, message["List-Unsubscribe"] or ""):
            check("%recipient." not in part and "[[" not in part, f"{name} has unmerged fields")
        check(
            message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click",
            f"{name}: no one-click header",
        )
        check(
            re.match(
                rf"<{re.escape(base)}(/[a-z]{{2}}(-[a-z]{{2}})?)?/newsletters/unsubscribe/",
                (message["List-Unsubscribe"] or "").strip(),
            )
            is not None,
            f"{name}: List-Unsubscribe does not point at {base} (in the subscriber's language)",
        )
    check(len(recipients) == expected, f"{expected} files but {len(recipients)} recipients")

    # Two residents who read English (others' links are under /cy/ or /ur/, their pages in
    # their language): their links are followed below.
    english = [
        message
        for message in (read_mail(mail_dir / name) for name in sorted(new))
        if (message["List-Unsubscribe"] or "").strip().startswith(f"<{base}/newsletters/")
    ]
    check(len(english) >= 2, "fewer than two English-reading recipients")
    first, second = english[:2]
    one_click = first["List-Unsubscribe"].strip().strip("<>")
    response = anonymous().post(one_click, data={"List-Unsubscribe": "One-Click"}, timeout=30)
    check(response.status_code == 200, f"one-click unsubscribe answered {response.status_code}")
    check_links_work(base, second, expect_sample=False)
    link = re.search(
        rf"{re.escape(base)}/newsletters/unsubscribe/[^\s)>\"]+",
        second.get_body(("plain",)).get_content(),
    )
    page = anonymous().get(link.group(0), timeout=30)
    check('<form method="post"' in page.text, "the unsubscribe page has no button")
    done = anonymous().post(link.group(0), timeout=30)  # the page's one button: a bare POST
    check(
        "You are unsubscribed" in done.text,
        "following the email's unsubscribe link did not unsubscribe",
    )
    figures = approver.get(manage_path.replace("/manage/", "/progress/")).json()
    check(
        figures.get("unsubscribed") == 2,
        f"the campaign counts {figures.get('unsubscribed')} unsubscribed, not 2",
    )
    step("one-click and link unsubscribes from the files both worked")


def campaign_restored_check(base):
    """On an install restored from a backup taken after the journey: the demo campaign is
    sent, with every recipient's delivery and both unsubscribes, and sending it again
    sends nothing."""
    approver = Staff(base, "approver")
    listing = approver.get("/admin/newsletters/campaigns/")
    found = re.search(
        rf'/admin/newsletters/campaigns/edit/(\d+)/">\s*{re.escape(CAMPAIGN)}', listing.text
    )
    check(found, f"the demo campaign '{CAMPAIGN}' is not listed after the restore")
    figures = approver.get(f"/admin/newsletters/campaigns/{found.group(1)}/progress/").json()
    check(
        figures.get("sent", 0) > 0 and figures["sent"] == figures.get("recipients"),
        f"after the restore the campaign's figures are {figures}",
    )
    check(figures.get("unsubscribed") == 2, f"after the restore: {figures}")
    send_path = f"/admin/newsletters/campaigns/{found.group(1)}/send/"
    again = approver.get(send_path)
    check("already sent" in again.text, "the restored campaign offers to send again")
    step(f"the restored campaign: {figures['sent']} sent, 2 unsubscribed, not sendable again")


def option_value(html: str, field: str, label: str) -> str:
    """The value of the first option of select ``field`` whose label contains ``label``."""
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
    check(select, f"the form has no {field} field")
    for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select.group(1)):
        if value and label.lower() in text.lower():
            return value
    raise JourneyFailed(f"no '{label}' among the {field} choices")


def print_run_journey(base):
    """The neighbourhood officer orders leaflets; a print worker renders them; the PDF
    downloads."""
    officer = Staff(base, "neighbourhood")
    form = officer.get("/admin/printing/runs/new/")
    fields = {
        "operation": option_value(form.text, "operation", "Lantern"),
        "area": option_value(form.text, "area", "Eastfield"),
        "template": option_value(form.text, "template", "Operation leaflet"),
        "format": option_value(form.text, "format", "A5"),
        "qr_target": "signup",
        "quantity": "40",
        "create": "1",
    }
    created = officer.post("/admin/printing/runs/new/", fields, page=form)
    run = re.search(r"/admin/printing/runs/(\d+)/$", created.url)
    check(run, f"the print run was not created: {errors(created)}")
    deadline = time.monotonic() + 180
    while True:
        status = officer.get(f"/admin/printing/runs/{run.group(1)}/status/").json()
        if status["status"] == "ready":
            break
        check(status["status"] != "failed", "the print run failed to render")
        check(time.monotonic() < deadline, f"the print run is still {status['status']}")
        time.sleep(2)
    pdf = officer.get(status["download_url"])
    check(pdf.content.startswith(b"%PDF-"), "the print run's download is not a PDF")
    step(f"a print run of 40 leaflets rendered and downloaded ({len(pdf.content)} bytes)")


def wait_for_files(
    mail_dir: Path, before: set[str], count: int, timeout=180, keep=None
) -> set[str]:
    """New files (those ``keep`` accepts, if given), once ``count`` have appeared and no
    more arrive for a few seconds."""
    deadline = time.monotonic() + timeout
    new: set[str] = set()
    while time.monotonic() < deadline:
        latest = {n for n in mail_files(mail_dir) - before if keep is None or keep(n)}
        if len(latest) >= count and latest == new:
            return new
        new = latest
        time.sleep(3)
    return new


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--mail-dir", type=Path, default=Path("var/mail"))
    parser.add_argument("--startup-timeout", type=int, default=600)
    parser.add_argument(
        "--authenticator-file",
        type=Path,
        help="keep the demo users' authenticator keys here, for a later journey on a copy",
    )
    parser.add_argument(
        "--restored",
        action="store_true",
        help="the install was restored from a backup taken after a journey: check the sent "
        "campaign instead of sending it",
    )
    parser.add_argument(
        "--behind-proxy",
        action="store_true",
        help="production settings: act as the HTTPS load balancer in front of the web processes",
    )
    args = parser.parse_args()
    Authenticator.load(args.authenticator_file)
    global BEHIND_PROXY
    BEHIND_PROXY = args.behind_proxy
    if BEHIND_PROXY:
        # The browser's side of the TLS connection the proxy ends: cookies marked Secure
        # (session, CSRF) go back on the loopback's plain HTTP too.
        http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True
    base = args.base_url.rstrip("/")
    try:
        wait_until_up(base, args.startup_timeout)
        embargo = embargo_time()
        release_id, slug = write_and_submit_release(base, embargo)
        check(
            anonymous().get(f"{base}/news/{slug}/", timeout=30).status_code == 404,
            "public before sign-off",
        )
        approve_step(base, "approver", release_id)
        spokesperson = approve_step(base, "spokesperson", release_id)
        status = spokesperson.get(f"/admin/api/main/pages/{release_id}/").json()["meta"]["status"]
        check(status["status"] == "scheduled" and not status["live"], f"after sign-off: {status}")
        step("signed off and scheduled, not yet live")
        if args.restored:
            campaign_restored_check(base)
        else:
            campaign_journey(base, args.mail_dir)
        print_run_journey(base)
        wait_for_go_live(base, slug, embargo)
    except JourneyFailed as failure:
        print(f"JOURNEY FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    step("journey complete")


if __name__ == "__main__":
    main()
