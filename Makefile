# callqa — the two commands of the README, plus benchmarks and the accuracy harness.
.PHONY: demo serve test build bench bench-audio bench-ingest bench-store bench-workspace bench-watch bench-transcribe accuracy accuracy-transcripts sample-audio check-html clean

# (1) Set up, build, and run the main job on SampleAudio/.
demo:
	bash scripts/setup.sh
	swift build -c release --product callqa
	.build/release/callqa run SampleAudio --db callqa.sqlite --scorecards Scorecards

# The workspace on the sample day, with demo accounts whose passwords are generated and printed.
serve:
	bash scripts/serve-demo.sh

# (2) Set up and run the whole test suite: the Swift tests, `callqa watch` against a PBX
# played by a script (killed and restarted 10 times, compared with a batch ingest), then the
# workspace in headless Chromium (tests/browser; screenshots in browser-out/).
test:
	bash scripts/setup.sh
	python3 scripts/check-imports.py
	swift build --build-tests
	@# The tests' temporary folders go to a folder of their own, removed afterwards (pass or fail).
	d=$$(mktemp -d /tmp/callqa-tests.XXXXXX); TMPDIR=$$d swift test --skip-build; rc=$$?; rm -rf "$$d"; exit $$rc
	python3 tests/watch/test_watch.py
	python3 tests/browser/test_workspace.py

build:
	bash scripts/setup.sh
	swift build -c release --product callqa

# Speed and memory (not part of the test suite): analysis, batch ingest beside peers, store,
# workspace under load (wrk; bench-workspace installs the Debian package wrk when missing),
# callqa watch's latency at 3 calls a second, transcription speed and memory.
bench: bench-audio bench-ingest bench-store bench-workspace bench-watch bench-transcribe

bench-audio:
	bash scripts/setup.sh
	bash scripts/bench-audio.sh

bench-ingest:
	bash scripts/setup.sh
	bash scripts/bench-ingest.sh

bench-store:
	bash scripts/setup.sh
	bash scripts/bench-store.sh

bench-workspace:
	bash scripts/setup.sh
	bash scripts/bench-workspace.sh

# callqa watch at a 1,000-seat center's peak (3 calls/s): recording completion → score in the database.
bench-watch:
	bash scripts/setup.sh
	bash scripts/bench-watch.sh

# Transcription: × realtime per core and peak memory with each model, cores for 8,000 h a day.
bench-transcribe:
	bash scripts/setup.sh
	bash scripts/bench-transcribe.sh

# Accuracy against exact truth per condition (bleed, babble, floor, music on hold, noise, codecs, ...),
# tuning and held-out splits, beside webrtcvad and silero-vad; installs espeak-ng, flite, sox, asterisk
# sounds and PyPI webrtcvad-wheels, onnxruntime, silero-vad (--no-deps) when missing.
# ACCURACY_SPLIT=tuning|heldout|both (both), CALLQA_BIN=path (skips the build), CALLS=n (2 per variant).
accuracy:
	bash scripts/accuracy/run.sh
	bash scripts/accuracy/transcripts.sh

# Transcripts alone: WER per language, voice set and codec; phrase-criterion recall and false
# hits (MODELS="ggml-base-q8_0.bin ggml-tiny.en-q8_0.bin", TRANSCRIPT_CALLS=n per group).
accuracy-transcripts:
	bash scripts/accuracy/transcripts.sh

# Render the HTML reports of the sample day with headless Chromium and look at them.
check-html:
	bash scripts/check-html.sh

sample-audio:
	python3 scripts/make-sample-day.py SampleAudio

clean:
	rm -rf .build bench-out accuracy-out browser-out
