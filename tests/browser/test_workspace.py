#!/usr/bin/env python3
"""The workspace in a real browser (headless Chromium through Selenium 4.38.0).

Starts `callqa serve` on a free loopback port against a database made from SampleAudio,
with a qa, an agent (a1) and an admin account created through `callqa users add
--password-stdin`, then checks what only a browser proves: the login form and its cookies,
a GSM 6.10 recording (which browsers cannot play as stored) playing and seeking in an
<audio> element, Range requests from the page answered 206, an agent refused another
agent's recording (404) but given their own, logout; the pages: overview (a number opens
its calls), calls list with a filter, the call page (?t= start, the timeline follows
playback and seeks on click, speed), the qa evaluation (the score changes) and a stale form
refused, the agent's own calls only (another agent's call, recording and export: 404), an
acknowledgement; the JSON API from the logged-in page (reads with the cookie, a write refused
without the page's CSRF token and accepted with it); the loops around a score: a dispute raised by the agent and accepted by QA
(the call rescored, the history kept, the agent sees the outcome), a calibration session of
three evaluators and an expert scored blind (the results answer 404 until QA closes it), a
coaching note from a call acknowledged by the agent.
Then the static report folder `callqa run` writes, opened from file:// as a
mailed folder would be: agents → agent → call, an evidence link `call-….html#t=S` starting
the call page's player at S (the recording linked relative to the page), a second evidence
link seeking in place, the timeline's click, and a GSM call page saying why it has no
player. Screenshots go to browser-out/.

Run by `make test` after the Swift tests; ends with the line `browser: N passed, N failed`.
Waits are bounded polls on the page's state, never fixed sleeps.
"""
import os
import shutil
import subprocess
import sys
import time
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "browser-out")
CALLQA = os.environ.get("CALLQA_BIN", os.path.join(ROOT, ".build", "debug", "callqa"))
PASSWORDS = {"qa1": "qa password for the browser test", "agent-a1": "agent password for the browser test",
             "admin1": "admin password for the browser test", "eval-a": "evaluator a password for the browser test",
             "eval-b": "evaluator b password for the browser test", "eval-c": "evaluator c password for the browser test"}


def callqa(*args, stdin=None):
    return subprocess.run([CALLQA, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300)


def make_database():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    db = os.path.join(OUT, "workspace.sqlite")
    run = callqa("run", "SampleAudio", "--db", db, "--out", os.path.join(OUT, "report"))
    if run.returncode not in (0, 1):
        raise RuntimeError(f"callqa run failed ({run.returncode}): {run.stderr}")
    # Two calls transcribed with the small English model (the call page's transcript, the search).
    model = os.path.join(os.environ.get("CALLQA_MODEL_DIR") or "/usr/local/share/callqa/models", "ggml-tiny.en-q8_0.bin")
    t = callqa("transcribe", "--db", db, "--model", model, "--calls", "c-001,c-003", "--language", "en", "--jobs", "2")
    if t.returncode != 0:
        raise RuntimeError(f"callqa transcribe failed ({t.returncode}): {t.stderr}")
    for name, extra in [("qa1", ["--role", "qa"]), ("agent-a1", ["--role", "agent", "--agent-id", "a1"]),
                        ("admin1", ["--role", "admin"]), ("eval-a", ["--role", "qa"]), ("eval-b", ["--role", "qa"]),
                        ("eval-c", ["--role", "qa"])]:
        r = callqa("users", "add", name, *extra, "--password-stdin", "--db", db, stdin=PASSWORDS[name] + "\n")
        if r.returncode != 0:
            raise RuntimeError(f"users add {name}: {r.stderr}")
    return db


def make_static_folder():
    """`callqa run` on a copy of SampleAudio: the report folder inside the day's folder, as
    `run` writes it by default (recordings linked relative to the pages)."""
    day = os.path.join(OUT, "day")
    shutil.copytree(os.path.join(ROOT, "SampleAudio"), day)
    shutil.rmtree(os.path.join(day, "callqa-report"), ignore_errors=True)
    run = callqa("run", day, "--db", os.path.join(OUT, "static.sqlite"), "--scorecards", os.path.join(ROOT, "Scorecards"))
    if run.returncode not in (0, 1):
        raise RuntimeError(f"callqa run (static folder) failed ({run.returncode}): {run.stderr}")
    return os.path.join(day, "callqa-report")


def start_server(db):
    proc = subprocess.Popen([CALLQA, "serve", "--port", "0", "--db", db], stdout=subprocess.PIPE,
                            stderr=open(os.path.join(OUT, "serve.log"), "w"), text=True, cwd=ROOT)
    line = proc.stdout.readline()  # "callqa workspace: http://127.0.0.1:PORT/ …", printed once listening
    if "http://127.0.0.1:" not in line:
        proc.kill()
        raise RuntimeError(f"serve did not start: {line!r}")
    return proc, line.split("http://", 1)[1].split("/", 1)[0]


def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--autoplay-policy=no-user-gesture-required", "--window-size=1100,900"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


class Checks:
    def __init__(self, driver, base):
        self.d, self.base = driver, base
        self.passed, self.failed = 0, 0

    def wait(self, condition, what, timeout=30):
        # An element found just before the page reloads goes stale: look again, as for a missing one.
        # Chromium 156 reports some of those as a plain WebDriverException ("Node with given id
        # does not belong to the document") instead of a stale element.
        def attempt(d):
            try:
                return condition(d)
            except WebDriverException as e:
                if "does not belong to the document" in str(e):
                    return False
                raise
        return WebDriverWait(self.d, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)) \
            .until(attempt, message=what)

    def shot(self, name):
        # The whole page: the window grows to the page's height for the picture.
        self.d.set_window_size(1280, 900)
        height = self.d.execute_script("return document.body.scrollHeight")
        self.d.set_window_size(1280, min(max(height + 140, 900), 6000))
        self.d.save_screenshot(os.path.join(OUT, name + ".png"))
        self.d.set_window_size(1100, 900)

    def fetch(self, path, range_header=None):
        """fetch() from the page: status, Content-Range and the first bytes of the body."""
        return self.d.execute_async_script("""
            const [path, range, done] = arguments;
            const headers = range ? {Range: range} : {};
            fetch(path, {headers, credentials: 'same-origin'}).then(async r => {
                const body = new Uint8Array(await r.arrayBuffer());
                done({status: r.status, contentRange: r.headers.get('Content-Range'), length: body.length,
                      head: Array.from(body.slice(0, 44))});
            }).catch(e => done({status: -1, error: String(e)}));
        """, path, range_header)

    def login(self, name, password):
        self.d.get(self.base + "/login")
        self.d.find_element(By.ID, "name").send_keys(name)
        self.d.find_element(By.ID, "password").send_keys(password)
        self.d.find_element(By.ID, "login").click()

    def logout(self):
        self.d.find_element(By.ID, "logout").click()
        self.wait(lambda d: d.current_url.endswith("/login"), "back on the login page")

    def check(self, name, body):
        try:
            body()
            self.passed += 1
            print(f"browser: ok   {name}")
        except Exception:
            self.failed += 1
            print(f"browser: FAIL {name}")
            traceback.print_exc()
            try:
                self.shot("FAIL-" + name.replace(" ", "-"))
            except Exception:
                pass
            # A check that failed half-way may have left its account signed in: the next one
            # starts signed out, so that one failure is not counted twice.
            try:
                self.d.delete_all_cookies()
            except Exception:
                pass

    # -- the checks ------------------------------------------------------------------------

    def wrong_password_is_refused(self):
        self.login("qa1", "not the password")
        self.wait(lambda d: "Wrong user name or password." in d.page_source, "error message")
        assert self.d.get_cookie("callqa_session") is None
        self.shot("01-login-failed")

    def qa_logs_in(self):
        self.login("qa1", PASSWORDS["qa1"])
        self.wait(lambda d: d.current_url == self.base + "/", "home after login")
        assert self.d.find_element(By.ID, "user").text == "qa1"
        assert self.d.find_element(By.ID, "role").text == "qa"
        cookie = self.d.get_cookie("callqa_session")
        assert cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", cookie
        assert self.d.execute_script("return document.cookie") == "", "the session cookie is not readable by scripts"
        self.shot("02-home-qa")

    def gsm_recording_plays_and_seeks(self):
        # c-008 is stored as GSM 6.10, which Chromium cannot play: the server decodes it.
        self.d.get(self.base + "/calls/c-008")
        self.wait(lambda d: d.execute_script("const a = document.getElementById('player'); return a && a.readyState >= 1"),
                  "metadata loaded")
        duration = self.d.execute_script("return document.getElementById('player').duration")
        head = self.fetch("/calls/c-008/audio", "bytes=0-43")
        data_bytes = int.from_bytes(bytes(head["head"][40:44]), "little")
        byte_rate = int.from_bytes(bytes(head["head"][28:32]), "little")
        assert abs(duration - data_bytes / byte_rate) < 0.01, (duration, data_bytes, byte_rate)
        self.d.execute_script("document.getElementById('player').play()")
        self.wait(lambda d: d.execute_script("return document.getElementById('player').currentTime") > 0.5,
                  "playback position advances")
        self.shot("03-player-playing")
        self.d.execute_script("const a = document.getElementById('player'); a.pause(); a.currentTime = 20;")
        self.wait(lambda d: d.execute_script("const a = document.getElementById('player'); return !a.seeking && a.currentTime >= 20"),
                  "seek to 20 s")
        self.d.execute_script("document.getElementById('player').play()")
        self.wait(lambda d: d.execute_script("return document.getElementById('player').currentTime") > 20.3,
                  "plays on from 20 s")
        self.d.execute_script("document.getElementById('player').pause()")
        assert self.d.execute_script("return document.getElementById('player').error") is None

    def channel_switch_keeps_playing(self):
        # c-001 is stereo µ-law; the page's script switches to the left channel.
        self.d.get(self.base + "/calls/c-001")
        self.wait(lambda d: d.execute_script("return document.getElementById('player').readyState >= 1"), "metadata")
        Select(self.d.find_element(By.ID, "channel")).select_by_value("left")
        self.wait(lambda d: d.execute_script("return document.getElementById('player').src").endswith("?channel=left"),
                  "source switched to the left channel")
        self.d.execute_script("document.getElementById('player').play()")
        self.wait(lambda d: d.execute_script("return document.getElementById('player').currentTime") > 0.3,
                  "left channel plays")
        self.d.execute_script("document.getElementById('player').pause()")
        r = self.fetch("/calls/c-001/audio?channel=left", "bytes=0-43")
        assert r["status"] == 206 and int.from_bytes(bytes(r["head"][22:24]), "little") == 1, r
        self.shot("04-player-left-channel")

    def ranges_from_the_page(self):
        full = self.fetch("/calls/c-001/audio", "bytes=0-")
        total = full["length"]
        assert full["status"] == 206 and full["contentRange"] == f"bytes 0-{total - 1}/{total}", full
        mid = self.fetch("/calls/c-001/audio", "bytes=1000-1999")
        assert mid["status"] == 206 and mid["length"] == 1000 and mid["contentRange"] == f"bytes 1000-1999/{total}", mid
        tail = self.fetch("/calls/c-001/audio", "bytes=-100")
        assert tail["status"] == 206 and tail["length"] == 100, tail
        beyond = self.fetch("/calls/c-001/audio", f"bytes={total}-")
        assert beyond["status"] == 416 and beyond["contentRange"] == f"bytes */{total}", beyond

    def overview_and_calls_pages(self):
        self.d.get(self.base + "/")
        assert "Period:" in self.d.find_element(By.CLASS_NAME, "period-label").text
        assert self.d.find_elements(By.CSS_SELECTOR, "#agents-0 tbody tr"), "the agents table"
        self.shot("10-overview-qa")
        # A number links to the calls behind it.
        link = self.d.find_element(By.CSS_SELECTOR, "#agents-0 tbody tr td:nth-child(3) a")
        link.click()
        self.wait(lambda d: "/calls?" in d.current_url and "agent=" in d.current_url, "the calls behind a number")
        rows = self.d.find_elements(By.CSS_SELECTOR, "#calls tbody tr")
        assert rows, "calls listed"
        self.shot("11-calls-of-an-agent")
        self.d.get(self.base + "/calls?period=all")
        assert len(self.d.find_elements(By.CSS_SELECTOR, "#calls tbody tr")) == 11
        Select(self.d.find_element(By.ID, "f-team")).select_by_visible_text("Red")
        self.d.find_element(By.ID, "apply").click()
        self.wait(lambda d: "team=Red" in d.current_url, "filter applied")
        teams = [r.find_elements(By.TAG_NAME, "td")[4].text for r in self.d.find_elements(By.CSS_SELECTOR, "#calls tbody tr")]
        assert teams and all(t == "Red" for t in teams), teams
        self.shot("12-calls-filtered")

    def call_page_timeline_seeks(self):
        self.d.get(self.base + "/calls/c-001?t=20")
        self.wait(lambda d: d.execute_script("const a = document.getElementById('player'); return a.readyState >= 1 && a.currentTime >= 19.9"),
                  "?t=20 starts the player at 20 s")
        self.d.execute_script("const a = document.getElementById('player'); a.currentTime = 0;")
        self.wait(lambda d: d.execute_script("return document.getElementById('player').currentTime") < 0.5, "back at 0")
        self.d.execute_script("document.getElementById('player').play()")
        self.wait(lambda d: d.execute_script("return document.getElementById('player').currentTime") > 0.5, "playing")
        svg = self.d.find_element(By.ID, "timeline")
        lanes = [t.text for t in svg.find_elements(By.TAG_NAME, "text")]
        assert "tones" in lanes and "hold" in lanes, lanes
        geo = self.d.execute_script("""
            const s = document.getElementById('timeline'), b = s.getBoundingClientRect(), vb = s.viewBox.baseVal;
            return {w: b.width, h: b.height, vw: vb.width, left: +s.dataset.left, pw: +s.dataset.plotWidth, d: +s.dataset.duration};""")
        # Click at 75 % of the call (offsets from the element's centre, in CSS pixels).
        x_view = geo["left"] + geo["pw"] * 0.75
        x_css = x_view * geo["w"] / geo["vw"]
        ActionChains(self.d).move_to_element_with_offset(svg, int(x_css - geo["w"] / 2), 0).click().perform()
        target = geo["d"] * 0.75
        self.wait(lambda d: abs(d.execute_script("return document.getElementById('player').currentTime") - target) < 2.5,
                  f"position jumps to about {target:.1f} s")
        head = self.d.execute_script("return +document.querySelector('#timeline .playhead').getAttribute('x1')")
        assert abs(head - x_view) < 30, (head, x_view)
        self.d.execute_script("document.getElementById('player').playbackRate = 1.5")
        Select(self.d.find_element(By.ID, "speed")).select_by_value("2")
        assert self.d.execute_script("return document.getElementById('player').playbackRate") == 2
        self.d.execute_script("document.getElementById('player').pause()")
        self.shot("13-call-page-timeline")

    def transcript_follows_playback(self):
        self.d.get(self.base + "/calls/c-001")
        words = self.d.find_elements(By.CSS_SELECTOR, "#transcript span.w")
        assert len(words) > 10, len(words)
        self.d.execute_script("const a = document.getElementById('player'); a.currentTime = 1.5; a.play();")
        lit = """const a = document.getElementById('player'), w = document.querySelector('#transcript span.w.now');
            if (!w || a.paused) { return false; }
            return +w.dataset.s <= a.currentTime + 0.3 && a.currentTime <= +w.dataset.e + 0.4;"""
        self.wait(lambda d: d.execute_script(lit), "the word being said is lit while the call plays")
        self.shot("38-call-transcript-playing")
        # A click on a later word plays from it.
        later = words[len(words) * 2 // 3]
        start = float(later.get_attribute("data-s"))
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'});", later)
        later.click()
        self.wait(lambda d: abs(d.execute_script("return document.getElementById('player').currentTime") - start) < 0.8,
                  f"a click on a word plays from {start:.2f} s")
        self.wait(lambda d: d.execute_script("return document.querySelector('#transcript span.w.now') !== null"), "a word is lit after the click")
        self.d.execute_script("document.getElementById('player').pause()")
        # Search the calls by what was said: c-001 comes back with the words marked, not c-002.
        word = next(w.text.strip(".,?!").lower() for w in words if len(w.text.strip(".,?!")) >= 6 and w.text.strip(".,?!").isalpha())
        self.d.get(self.base + "/calls?period=all")
        box = self.d.find_element(By.ID, "f-said")
        box.clear()
        box.send_keys(word)
        self.d.find_element(By.ID, "apply").click()
        self.wait(lambda d: "said=" in d.current_url, "the search is in the address")
        ids = [a.text for a in self.d.find_elements(By.CSS_SELECTOR, "#calls tbody td:first-child a")]
        assert "c-001" in ids and "c-002" not in ids, (word, ids)
        marks = [m.text.lower() for m in self.d.find_elements(By.CSS_SELECTOR, "#calls tr.said mark")]
        assert word in marks, (word, marks)
        self.shot("39-calls-search-said")

    def qa_evaluates_and_the_score_changes(self):
        self.d.get(self.base + "/calls/c-011")
        self.shot("14-call-page-before-evaluation")
        form = self.d.find_element(By.ID, "evaluate-order-confirmation")
        names = sorted({e.get_attribute("name") for e in form.find_elements(By.CSS_SELECTOR, "input[type=radio]")})
        assert names, "manual criteria in the form"
        for name in names:
            # greeting "no": the agent disputes it later (dispute_raised_by_the_agent).
            value = "no" if name == "answer.greeting" else "yes"
            form.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']").click()
        form.find_element(By.CSS_SELECTOR, "input[name^='comment.']").send_keys("clear and friendly")
        form.find_element(By.CLASS_NAME, "save-evaluation").click()
        self.wait(lambda d: d.find_elements(By.ID, "saved"), "saved notice")
        before = self.d.find_element(By.ID, "score-before").text
        after = self.d.find_element(By.ID, "score-after").text
        assert "provisional" in before and "complete" in after and before != after, (before, after)
        history = self.d.find_element(By.ID, "history").text
        assert "qa1" in history and "web" in history, history
        self.shot("15-call-page-after-evaluation")

    def a_stale_form_is_refused(self):
        self.d.get(self.base + "/calls/c-006")
        form = self.d.find_element(By.ID, "evaluate-support-hotline")
        # Another evaluator saves first (same form, posted from the page's script context).
        status = self.d.execute_async_script("""
            const done = arguments[0], f = document.getElementById('evaluate-support-hotline'), data = new URLSearchParams(new FormData(f));
            for (const r of f.querySelectorAll('input[type=radio][value=yes]')) { data.set(r.name, 'yes'); }
            fetch(f.action, {method: 'POST', body: data, credentials: 'same-origin'}).then(r => done(r.status));""")
        assert status == 200, status
        radio = form.find_elements(By.CSS_SELECTOR, "input[type=radio][value='no']")[0]
        radio.click()
        form.find_element(By.CLASS_NAME, "save-evaluation").click()
        self.wait(lambda d: d.find_elements(By.ID, "stale"), "told the call changed")
        self.shot("16-stale-evaluation-refused")

    def api_from_the_browser_session(self):
        """The session cookie opens /api/v1 from the page; writes need the page's CSRF token."""
        result = self.d.execute_async_script("""
            const done = arguments[0];
            const csrf = document.querySelector('input[name=csrf]').value;
            (async () => {
                const me = await (await fetch('/api/v1/me', {credentials: 'same-origin'})).json();
                const calls = await (await fetch('/api/v1/calls?period=all&limit=1000', {credentials: 'same-origin'})).json();
                const sheet = await (await fetch('/api/v1/calls/c-004/evaluations', {credentials: 'same-origin'})).json();
                const body = JSON.stringify({scorecard: sheet.cards[0].scorecard, version: sheet.version, answers: []});
                const post = (headers) => fetch('/api/v1/calls/c-004/evaluations',
                    {method: 'POST', credentials: 'same-origin', headers: Object.assign({'Content-Type': 'application/json'}, headers), body});
                const without = await post({});
                const withToken = await post({'X-CSRF-Token': csrf});
                done({me, calls: calls.calls.length, without: without.status, withoutBody: await without.json(),
                      with: withToken.status, saved: (await withToken.json()).saved});
            })().catch(e => done({error: String(e)}));
        """)
        assert "error" not in result, result
        assert result["me"]["role"] == "qa" and result["me"]["auth"]["kind"] == "session", result["me"]
        assert result["calls"] == 11, result
        assert result["without"] == 403 and result["withoutBody"]["error"]["code"] == "forbidden", result
        assert result["with"] == 200 and result["saved"] == 0, result
        self.d.get(self.base + "/api/v1/calls/c-003")
        assert '"call_id":"c-003"' in self.d.page_source

    def logout_ends_the_session(self):
        self.d.get(self.base + "/")
        self.logout()
        assert self.d.get_cookie("callqa_session") is None
        assert self.fetch("/calls/c-001/audio", "bytes=0-1")["status"] == 401
        self.d.get(self.base + "/")
        assert self.d.current_url.endswith("/login")
        self.shot("05-logged-out")

    def agent_sees_only_own_recordings(self):
        self.login("agent-a1", PASSWORDS["agent-a1"])
        self.wait(lambda d: d.current_url == self.base + "/", "agent home")
        assert "own calls only (agent a1)" in self.d.find_element(By.ID, "scope").text
        self.shot("06-home-agent")
        own = self.fetch("/calls/c-001/audio", "bytes=0-43")  # c-001: agent a1
        assert own["status"] == 206, own
        other = self.fetch("/calls/c-003/audio", "bytes=0-43")  # c-003: agent a2
        missing = self.fetch("/calls/no-such-call/audio", "bytes=0-43")
        assert other["status"] == 404 and missing["status"] == 404, (other, missing)
        assert other["head"] == missing["head"] and other["length"] == missing["length"]
        assert self.fetch("/admin/audit")["status"] == 404
        self.d.get(self.base + "/calls/c-003/audio")
        assert "Not found" in self.d.page_source
        self.shot("07-agent-other-agents-call-404")
        self.d.get(self.base + "/calls?period=all")
        listed = {r.find_element(By.TAG_NAME, "a").text for r in self.d.find_elements(By.CSS_SELECTOR, "#calls tbody tr")}
        assert listed == {"c-001", "c-002", "c-011"}, listed
        self.shot("17-agent-calls")
        page_other = self.fetch("/calls/c-003")
        csv_other = self.fetch("/calls.csv?agent=a2")
        assert page_other["status"] == 404 and csv_other["status"] == 404, (page_other, csv_other)
        assert page_other["head"] == missing["head"] and csv_other["head"] == missing["head"]
        own_csv = self.fetch("/calls.csv?period=all")
        assert own_csv["status"] == 200, own_csv
        self.d.get(self.base + "/calls/c-003")
        assert "Not found" in self.d.page_source
        self.d.get(self.base + "/agents/a1?period=all")
        self.shot("18-agent-page")
        self.d.find_element(By.CSS_SELECTOR, "#acknowledge button.ack").click()
        self.wait(lambda d: "acknowledged by agent-a1" in d.page_source, "acknowledged")
        self.shot("19-agent-acknowledged")
        self.d.get(self.base + "/calls/c-001")
        assert not self.d.find_elements(By.ID, "evaluate"), "agents do not evaluate"
        self.shot("20-agent-own-call")
        self.d.get(self.base + "/")
        self.logout()

    def admin_reads_the_audit_log(self):
        self.login("admin1", PASSWORDS["admin1"])
        self.wait(lambda d: d.current_url == self.base + "/", "admin home")
        self.d.get(self.base + "/admin/audit")
        rows = [r.text for r in self.d.find_elements(By.CSS_SELECTOR, "#audit tbody tr")]
        assert any("audio qa1" in r and "c-008" in r for r in rows), rows[-5:]
        assert any("login_failed qa1" in r for r in rows) and any("logout agent-a1" in r for r in rows)
        self.shot("08-admin-audit")
        self.d.get(self.base + "/admin/users")
        assert len(self.d.find_elements(By.CSS_SELECTOR, "#users tbody tr")) == 6
        self.shot("09-admin-users")

    # -- the loops around a score: disputes, calibration, coaching --------------------------

    def logged_in(self, name):
        self.login(name, PASSWORDS[name])
        self.wait(lambda d: d.current_url == self.base + "/", f"{name} home")

    def score_text(self):
        return self.d.find_element(By.ID, "score").text

    def dispute_raised_by_the_agent(self):
        # c-011 is agent a1's call; qa answered greeting "no" in qa_evaluates_and_the_score_changes.
        self.logged_in("agent-a1")
        self.d.get(self.base + "/calls/c-011")
        Select(self.d.find_element(By.ID, "dispute-criterion")).select_by_value("order-confirmation/greeting")
        self.d.find_element(By.ID, "dispute-reason").send_keys("I greeted with the company name and my name at 0:02.")
        self.d.find_element(By.ID, "dispute-submit").click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dispute-list tr[data-state='open']"), "the dispute is open")
        assert self.d.find_elements(By.CSS_SELECTOR, "#dispute-list button.withdraw"), "the agent may withdraw it"
        assert not self.d.find_elements(By.CSS_SELECTOR, "#dispute-list button.accept"), "agents do not decide"
        self.d.find_element(By.ID, "disputes").location_once_scrolled_into_view
        self.shot("21-dispute-raised-by-agent")
        self.d.get(self.base + "/")
        self.logout()

    def dispute_resolved_by_qa(self):
        self.logged_in("qa1")
        self.d.get(self.base + "/calls/c-011")
        before = self.score_text()
        row = self.d.find_element(By.CSS_SELECTOR, "#dispute-list tr[data-state='open']")
        dispute_id = row.get_attribute("id").split("-")[1]
        form = self.d.find_element(By.ID, "accept-" + dispute_id)
        Select(form.find_element(By.NAME, "answer")).select_by_visible_text("yes")
        form.find_element(By.NAME, "reason").send_keys("Heard it at 0:02: company name and own name.")
        self.shot("22-dispute-before-qa-decides")
        form.find_element(By.CSS_SELECTOR, "button.accept").click()
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#dispute-list tr[data-state='accepted']"), "accepted")
        after = self.score_text()
        assert before != after, "the call was rescored"
        history = self.d.find_element(By.ID, "dispute-list").text
        assert "opened by agent-a1" in history and "accepted by qa1" in history and "answer no → yes" in history, history
        replaced = self.d.find_element(By.ID, "replaced").text
        assert "no" in replaced and "qa1" in replaced, replaced
        self.d.find_element(By.ID, "disputes").location_once_scrolled_into_view
        self.shot("23-dispute-accepted-by-qa")
        self.d.get(self.base + "/disputes?period=all")
        assert "qa1" in self.d.find_element(By.ID, "by-evaluator").text
        self.shot("24-disputes-report")
        self.d.get(self.base + "/")
        self.logout()
        # The agent sees the outcome.
        self.logged_in("agent-a1")
        self.d.get(self.base + "/disputes?period=all")
        table = self.d.find_element(By.ID, "disputes-table").text
        assert "accepted" in table and "c-011" in table, table
        self.shot("25-disputes-agent-sees-outcome")
        self.d.get(self.base + "/")
        self.logout()

    CALIBRATION_CALLS = ["c-001", "c-002", "c-004"]

    def answer_calibration(self, session_url, answers):
        """Answers every manual criterion of each call: `answers(call, criterion)` → value."""
        for call in self.CALIBRATION_CALLS:
            self.d.get(f"{session_url}/calls/{call}")
            form = self.d.find_element(By.ID, "calibration-form")
            # Blind: nothing of anyone else, and the results are not there yet (404).
            assert not form.find_elements(By.CSS_SELECTOR, "input[type=radio]:checked:not([value=''])"), "a fresh form"
            for r in [self.fetch(session_url.replace(self.base, "") + "/results"),
                      self.fetch(session_url.replace(self.base, "") + f"/calls/{call}/answers")]:
                assert r["status"] == 404, r
            names = sorted({e.get_attribute("name") for e in form.find_elements(By.CSS_SELECTOR, "input[type=radio]")})
            for name in names:
                value = answers(call, name.split(".", 1)[1])
                form.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']").click()
            form.find_element(By.ID, "calibration-save").click()
            self.wait(lambda d: d.find_elements(By.ID, "loop-ok"), f"saved {call}")

    def calibration_of_three_evaluators(self):
        self.logged_in("qa1")
        self.d.get(self.base + "/calibration")
        self.d.find_element(By.ID, "cal-name").send_keys("November orders calibration")
        Select(self.d.find_element(By.ID, "cal-card")).select_by_visible_text("order-confirmation")
        Select(self.d.find_element(By.ID, "cal-expert")).select_by_visible_text("qa1")
        self.d.find_element(By.ID, "cal-calls").send_keys(", ".join(self.CALIBRATION_CALLS))
        for name in ["eval-a", "eval-b", "eval-c"]:
            self.d.find_element(By.CSS_SELECTOR, f"#cal-evaluators input[value='{name}']").click()
        self.shot("26-calibration-create")
        self.d.find_element(By.ID, "cal-submit").click()
        self.wait(lambda d: "/calibration/" in d.current_url and d.find_elements(By.ID, "session-state"), "the session page")
        session_url = self.d.current_url
        assert self.d.find_element(By.ID, "session-state").text == "open"
        # The expert's answers: every criterion yes.
        self.answer_calibration(session_url, lambda call, c: "yes")
        self.d.get(self.base + "/")
        self.logout()
        # Three evaluators, blind; eval-b fails the greeting of c-001, eval-c gives partial on c-004's payment link.
        plans = {"eval-a": lambda call, c: "yes",
                 "eval-b": lambda call, c: "no" if (call, c) == ("c-001", "greeting") else "yes",
                 "eval-c": lambda call, c: "partial" if (call, c) == ("c-004", "payment_link") else "yes"}
        for name, plan in plans.items():
            self.logged_in(name)
            self.d.get(session_url)
            assert self.d.find_elements(By.ID, "sealed"), "the answers are sealed"
            self.answer_calibration(session_url, plan)
            self.d.get(f"{session_url}/calls/c-001")
            if name == "eval-b":
                checked = self.d.find_element(By.CSS_SELECTOR, "input[name='answer.greeting']:checked").get_attribute("value")
                assert checked == "no", checked
                self.shot("27-calibration-blind-form")
            self.d.get(self.base + "/")
            self.logout()
        # QA closes: the results, every answer.
        self.logged_in("qa1")
        self.d.get(session_url)
        self.shot("28-calibration-before-close")
        self.d.find_element(By.ID, "close-session").click()
        self.wait(lambda d: d.find_elements(By.ID, "results"), "results shown")
        rows = self.d.find_elements(By.CSS_SELECTOR, "#calibration_evaluators tbody tr")
        assert len(rows) == 3, len(rows)
        text = self.d.find_element(By.ID, "calibration_evaluators").text
        assert "eval-a" in text and "eval-b" in text and "eval-c" in text, text
        criteria = self.d.find_element(By.ID, "calibration_criteria").text
        assert "greeting" in criteria and "payment_link" in criteria, criteria
        self.shot("29-calibration-results")
        self.d.get(f"{session_url}/calls/c-001/answers")
        answers = self.d.find_element(By.ID, "call-answers").text
        assert "eval-b" in answers and "qa1 (expert)" in answers, answers
        self.shot("30-calibration-answers-of-a-call")
        self.d.get(self.base + "/")
        self.logout()

    def coaching_from_a_call(self):
        self.logged_in("qa1")
        self.d.get(self.base + "/calls/c-002?t=14")
        self.d.find_element(By.ID, "coach-keep").send_keys("Warm greeting, clear read-back of the order.")
        self.d.find_element(By.ID, "coach-change").send_keys("Agree the delivery window before closing.")
        refs = self.d.find_element(By.ID, "coach-refs")
        assert refs.get_attribute("value") == "c-002@14", refs.get_attribute("value")
        self.d.execute_script("document.getElementById('coach-follow-up').value = '2026-12-01'")
        self.d.find_element(By.ID, "coach-submit").click()
        self.wait(lambda d: "/agents/a1" in d.current_url and d.find_elements(By.ID, "agent-notes"), "the agent page with the note")
        # The sample day's calls are older than today's note: the whole period shows both.
        self.d.get(self.base + "/agents/a1?period=all")
        markers = self.d.find_elements(By.CSS_SELECTOR, "svg g.marker")
        assert markers and "coached" in markers[0].text, "the trend marks the coaching date"
        self.shot("31-coaching-note-on-agent-page")
        self.d.get(self.base + "/coaching")
        assert self.d.find_elements(By.CSS_SELECTOR, "#unacknowledged tbody tr")
        self.shot("32-coaching-waiting")
        self.d.get(self.base + "/")
        self.logout()
        self.logged_in("agent-a1")
        self.d.get(self.base + "/coaching")
        self.d.find_element(By.CSS_SELECTOR, "#my-notes button.coach-ack").click()
        self.wait(lambda d: "acknowledged by agent-a1" in d.find_element(By.ID, "my-notes").text, "acknowledged")
        self.shot("33-coaching-acknowledged")
        link = self.d.find_element(By.CSS_SELECTOR, "#my-notes a[href*='c-002?t=14']")
        link.click()
        self.wait(lambda d: d.execute_script("const a = document.getElementById('player'); return a && a.readyState >= 1 && a.currentTime >= 13.9"),
                  "the note's link plays the call from its second")
        self.d.get(self.base + "/")
        self.logout()


    # -- the static report folder, from file:// ----------------------------------------------

    def player_at(self, seconds, what, tolerance=0.3):
        self.wait(lambda d: d.execute_script(
            "const a = document.getElementById('player'); return a.readyState >= 1 && Math.abs(a.currentTime - arguments[0]) < arguments[1]",
            seconds, tolerance), what)

    def static_folder_agents_to_call_seeks(self):
        folder = self.static
        self.d.get("file://" + os.path.join(folder, "agents.html"))
        self.shot("34-static-agents")
        self.d.find_element(By.PARTIAL_LINK_TEXT, "a2 (Ben Okafor)").click()
        self.wait(lambda d: "/agents/agent-a2-" in d.current_url, "the agent's page")
        calls = [a.text for a in self.d.find_elements(By.CSS_SELECTOR, "#agent_calls tbody a")]
        assert "c-003" in calls and "c-004" in calls, calls
        self.shot("35-static-agent-a2")
        link = self.d.find_element(By.CSS_SELECTOR, "a[href*='#t=15.41']")
        assert link.get_attribute("href").split("/")[-1].startswith("call-c-003-"), link.get_attribute("href")
        link.click()
        self.wait(lambda d: d.current_url.endswith("#t=15.41"), "the call page at #t=15.41")
        src = self.d.execute_script("return document.getElementById('player').getAttribute('src')")
        assert src == "../../c-003-ulaw.wav", src
        self.player_at(15.41, "#t=15.41 starts the player at 15.41 s")
        # Evidence on the call's own page seeks in place (no reload: the marker stays).
        self.d.execute_script("window.__samePage = 1; document.getElementById('player').pause()")
        self.d.find_element(By.CSS_SELECTOR, "a[href$='#t=7.12']").click()
        self.player_at(7.12, "a second evidence link seeks to 7.12 s")
        assert self.d.execute_script("return window.__samePage") == 1, "the page was reloaded"
        lanes = [t.text for t in self.d.find_elements(By.CSS_SELECTOR, "#timeline text")]
        assert "tones" in lanes, lanes
        svg = self.d.find_element(By.ID, "timeline")
        geo = self.d.execute_script("""
            const s = document.getElementById('timeline'), b = s.getBoundingClientRect(), vb = s.viewBox.baseVal;
            return {w: b.width, vw: vb.width, left: +s.dataset.left, pw: +s.dataset.plotWidth, d: +s.dataset.duration};""")
        x_css = (geo["left"] + geo["pw"] * 0.5) * geo["w"] / geo["vw"]
        ActionChains(self.d).move_to_element_with_offset(svg, int(x_css - geo["w"] / 2), 0).click().perform()
        self.player_at(geo["d"] * 0.5, "a click on the timeline seeks", tolerance=1.5)
        self.d.execute_script("document.getElementById('player').pause()")
        self.shot("36-static-call-c-003")

    def static_gsm_call_says_why(self):
        pages = os.listdir(os.path.join(self.static, "calls"))
        gsm = next(p for p in pages if p.startswith("call-c-008-"))
        self.d.get("file://" + os.path.join(self.static, "calls", gsm) + "#t=3")
        assert not self.d.find_elements(By.TAG_NAME, "audio"), "a GSM page has no player"
        assert "Browsers cannot play this recording's format (WAV GSM 6.10)" in self.d.find_element(By.ID, "no-player").text
        self.shot("37-static-call-c-008-gsm")


def main():
    for tool in (CALLQA, "/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not os.path.exists(tool):
            print(f"browser: missing {tool} (make test runs scripts/setup.sh and swift build first)", file=sys.stderr)
            return 2
    db = make_database()
    static = make_static_folder()
    server, host = start_server(db)
    driver = None
    started = time.monotonic()
    try:
        driver = make_driver()
        c = Checks(driver, "http://" + host)
        c.static = static
        c.check("wrong password is refused", c.wrong_password_is_refused)
        c.check("qa logs in", c.qa_logs_in)
        c.check("GSM recording plays and seeks", c.gsm_recording_plays_and_seeks)
        c.check("channel switch keeps playing", c.channel_switch_keeps_playing)
        c.check("ranges from the page", c.ranges_from_the_page)
        c.check("overview and calls pages", c.overview_and_calls_pages)
        c.check("call page timeline seeks", c.call_page_timeline_seeks)
        c.check("transcript follows playback and is searched", c.transcript_follows_playback)
        c.check("qa evaluates and the score changes", c.qa_evaluates_and_the_score_changes)
        c.check("a stale form is refused", c.a_stale_form_is_refused)
        c.check("the API from the browser session", c.api_from_the_browser_session)
        c.check("logout ends the session", c.logout_ends_the_session)
        c.check("agent sees only own recordings", c.agent_sees_only_own_recordings)
        c.check("dispute raised by the agent", c.dispute_raised_by_the_agent)
        c.check("dispute resolved by qa", c.dispute_resolved_by_qa)
        c.check("calibration of three evaluators", c.calibration_of_three_evaluators)
        c.check("coaching from a call", c.coaching_from_a_call)
        c.check("admin reads the audit log", c.admin_reads_the_audit_log)
        c.check("static folder: agents to call, #t= seeks", c.static_folder_agents_to_call_seeks)
        c.check("static folder: a GSM call says why it has no player", c.static_gsm_call_says_why)
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"browser: screenshots in {os.path.relpath(OUT, ROOT)}/ ({time.monotonic() - started:.0f} s)")
    print(f"browser: {c.passed} passed, {c.failed} failed")
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
