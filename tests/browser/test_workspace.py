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
acknowledgement. Screenshots go to browser-out/.

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
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "browser-out")
CALLQA = os.environ.get("CALLQA_BIN", os.path.join(ROOT, ".build", "debug", "callqa"))
PASSWORDS = {"qa1": "qa password for the browser test", "agent-a1": "agent password for the browser test",
             "admin1": "admin password for the browser test"}


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
                        ("admin1", ["--role", "admin"])]:
        r = callqa("users", "add", name, *extra, "--password-stdin", "--db", db, stdin=PASSWORDS[name] + "\n")
        if r.returncode != 0:
            raise RuntimeError(f"users add {name}: {r.stderr}")
    return db


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
        return WebDriverWait(self.d, timeout, poll_frequency=0.1).until(lambda d: condition(d), message=what)

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
        self.shot("21-call-transcript-playing")
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
        self.shot("22-calls-search-said")

    def qa_evaluates_and_the_score_changes(self):
        self.d.get(self.base + "/calls/c-011")
        self.shot("14-call-page-before-evaluation")
        form = self.d.find_element(By.ID, "evaluate-order-confirmation")
        names = sorted({e.get_attribute("name") for e in form.find_elements(By.CSS_SELECTOR, "input[type=radio]")})
        assert names, "manual criteria in the form"
        for name in names:
            form.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='yes']").click()
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
        assert len(self.d.find_elements(By.CSS_SELECTOR, "#users tbody tr")) == 3
        self.shot("09-admin-users")


def main():
    for tool in (CALLQA, "/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not os.path.exists(tool):
            print(f"browser: missing {tool} (make test runs scripts/setup.sh and swift build first)", file=sys.stderr)
            return 2
    db = make_database()
    server, host = start_server(db)
    driver = None
    started = time.monotonic()
    try:
        driver = make_driver()
        c = Checks(driver, "http://" + host)
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
        c.check("logout ends the session", c.logout_ends_the_session)
        c.check("agent sees only own recordings", c.agent_sees_only_own_recordings)
        c.check("admin reads the audit log", c.admin_reads_the_audit_log)
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
