"""A new held-out set, written from the TOML alone before reading how the engine handles any
of it, over three schedules no earlier probe saw and the ones they did:

``shsw30`` (W): a workshop in Wellington (Pacific/Auckland) with both southern switches in one
year: NZDT ends between the abstract and the full-paper deadline, NZST ends during the all-day
four-day workshop, on the morning of the excursion.
``datasys32`` (Y): a conference with tracks and a rolling research deadline (two cycles, each
with its notification), AoE paper deadlines, an extended industry deadline, author
registration and the conference in Singapore.
``carnet29`` (R): a workshop in San Juan given in an explicit offset (UTC-04:00), a poster
deadline at noon, a two-day workshop with its hours.

Each expectation is written from the schedule: the instant (``at=``, UTC), the wall-clock time
in the zone named or the asker's, the weekday, the countdown from the probe's ``now``, or an
honest "the schedule does not say" with no date. The expectation language is
``tests/ask_probe.py``'s. Probes in other languages than English are few here on purpose
(German and French words that are zone abbreviations in English: "ist", "est", "cet").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ask_probe import P, Schedules, wrong

DATA = Path(__file__).resolve().parent / "data" / "ask"
SEED = Path(__file__).resolve().parent.parent / "schedules" / "aisys-sosp17.toml"
FILES = {"W": DATA / "shsw30.toml", "Y": DATA / "datasys32.toml", "R": DATA / "carnet29.toml",
         "S": SEED, "I": DATA / "icds27.toml", "D": DATA / "dsw26.toml",
         "L": DATA / "mlss28.toml", "A": DATA / "apsys29.toml", "B": DATA / "eurosys28.toml",
         "T": DATA / "tracks31.toml", "M": DATA / "mlsys30.toml", "N": DATA / "nyws29.toml",
         "K": DATA / "mlt26.toml", "H": DATA / "halfday27.toml", "C": DATA / "ccfsys26.toml"}
NOW = {"W": "2030-03-25T00:00:00+00:00",    # Monday 25 March 2030, 13:00 NZDT
       "Y": "2031-03-20T00:00:00+00:00",    # Thursday 20 March 2031
       "R": "2029-05-20T12:00:00+00:00",    # Sunday 20 May 2029, 08:00 in San Juan
       "S": "2017-09-01T12:00:00+00:00", "I": "2027-03-01T00:00:00+00:00",
       "D": "2026-08-20T08:00:00+00:00", "L": "2028-03-10T06:00:00+00:00",
       "A": "2028-11-01T00:00:00+00:00", "B": "2027-10-01T00:00:00+00:00",
       "T": "2030-09-01T00:00:00+00:00", "M": "2029-10-01T00:00:00+00:00",
       "N": "2029-01-15T00:00:00+00:00", "K": "2026-07-01T00:00:00+00:00",
       "H": "2027-03-20T10:00:00+00:00", "C": "2026-03-01T00:00:00+00:00"}
READER = {"W": "Europe/Berlin", "Y": "Asia/Kolkata", "R": "Europe/Madrid",
          "S": "America/Los_Angeles", "I": "America/Los_Angeles", "D": "Asia/Shanghai",
          "L": "Asia/Kolkata", "A": "Europe/London", "B": "Asia/Shanghai", "T": "Asia/Shanghai",
          "M": "Asia/Shanghai", "N": "Asia/Shanghai", "K": "Asia/Shanghai",
          "H": "Europe/Berlin", "C": "Asia/Shanghai"}

# shsw30 (UTC): a deadline's close, anything else's start.
W_ABSTRACT = "2030-04-05T04:00:00+00:00"    # 17:00 NZDT (UTC+13) on Friday 5 April 2030
W_PAPER = "2030-04-12T05:00:00+00:00"       # 17:00 NZST (UTC+12) on Friday 12 April 2030
W_NOTIF = "2030-06-13T12:00:00+00:00"       # all of Friday 14 June 2030, NZST
W_CR = "2030-08-16T11:59:00+00:00"          # 23:59 NZST on Friday 16 August 2030
W_EARLY = "2030-09-06T11:59:00+00:00"       # 23:59 NZST on Friday 6 September 2030
W_WS = "2030-09-26T12:00:00+00:00"          # Friday 27 (NZST) to Monday 30 September (NZDT)
W_EXC = "2030-09-28T21:00:00+00:00"         # 10:00 NZDT on Sunday 29 September 2030
W_EVE = "2030-04-04T00:00:00+00:00"         # Thursday 4 April, 13:00 NZDT: abstract tomorrow
W_BETWEEN = "2030-04-06T00:00:00+00:00"     # abstract passed, full paper open
# datasys32
Y_C1 = "2031-04-02T11:59:00+00:00"          # 23:59 AoE on Tuesday 1 April 2031
Y_C1N = "2031-05-15T12:00:00+00:00"         # all of Thursday 15 May 2031, AoE
Y_C2 = "2031-07-02T11:59:00+00:00"          # 23:59 AoE on Tuesday 1 July 2031
Y_IND = "2031-07-21T11:59:00+00:00"         # 23:59 AoE on Sunday 20 July 2031 (was 13 July)
Y_DEMO = "2031-08-02T11:59:00+00:00"        # 23:59 AoE on Friday 1 August 2031
Y_C2N = "2031-08-15T12:00:00+00:00"
Y_CR = "2031-10-01T11:59:00+00:00"          # 23:59 AoE on Tuesday 30 September 2031
Y_REG = "2031-10-15T15:59:00+00:00"         # 23:59 in Singapore on Wednesday 15 October 2031
Y_CONF = "2032-01-11T16:00:00+00:00"        # Monday 12 to Thursday 15 January 2032, Singapore
Y_AFTER_C1 = "2031-04-03T00:00:00+00:00"
# carnet29
R_PAPER = "2029-06-01T03:59:00+00:00"       # 23:59 UTC-04:00 on Thursday 31 May 2029
R_POSTER = "2029-06-15T16:00:00+00:00"      # 12:00 UTC-04:00 on Friday 15 June 2029
R_NOTIF = "2029-07-02T04:00:00+00:00"       # all of Monday 2 July 2029
R_CR = "2029-07-21T03:59:00+00:00"          # 23:59 on Friday 20 July 2029
R_REG = "2029-08-11T03:59:00+00:00"         # 23:59 on Friday 10 August 2029
R_WS = "2029-08-27T13:00:00+00:00"          # 09:00 Monday 27 to 17:00 Tuesday 28 August 2029
R_AFTER_PAPER = "2029-06-05T00:00:00+00:00"
R_WEEK = "2029-05-28T12:00:00+00:00"        # Monday 28 May: the paper deadline this week
R_REG_OPEN = "2029-08-01T00:00:00+00:00"

PROBES: tuple[P, ...] = (
    # ===== shsw30: Wellington across both switches ==========================================
    P("W", "when's the abstract due?", f"d=abstract ; at={W_ABSTRACT} ; "
      "has=Friday 5 April 2030, 17:00 NZDT ; has=06:00 CEST ; has=11 days 4 hours", "topic"),
    P("W", "by when do I have to submit the full paper?", f"d=paper ; at={W_PAPER} ; "
      "has=Friday 12 April 2030, 17:00 NZST ; has=07:00 CEST", "topic"),
    P("W", "what's the cutoff for camera-ready?", f"d=camera-ready ; at={W_CR} ; "
      "has=Friday 16 August 2030, 23:59 NZST", "topic"),
    P("W", "due date for early registration", f"d=early ; at={W_EARLY}", "topic"),
    P("W", "when does early registration close?", f"d=early ; at={W_EARLY} ; "
      "has=Friday 6 September 2030, 23:59 NZST", "topic"),
    P("W", "when do we find out if we're accepted?", f"d=notification ; at={W_NOTIF} ; "
      "has=Friday 14 June 2030", "topic"),
    P("W", "excursion time?", f"d=excursion ; at={W_EXC} ; "
      "has=Sunday 29 September 2030, 10:00 NZDT", "topic"),
    P("W", "where's the workshop?", "has=Wellington", "topic"),
    P("W", "page limit?", "has=5 pages", "topic"),
    P("W", "is it double-blind?", "yes", "yesno"),
    P("W", "is it AoE?", "no ; d=abstract", "zone"),
    P("W", "what time is the abstract deadline in UTC?", "d=abstract ; "
      "has=Friday 5 April 2030, 04:00 UTC", "zone"),
    P("W", "abstract deadline for me in IST", "d=abstract ; has=09:30 IST", "zone"),
    P("W", "what time in Berlin is the paper deadline?", "d=paper ; has=07:00 CEST", "zone"),
    P("W", "paper deadline in my timezone UTC+2", "d=paper ; has=07:00 UTC+02:00", "zone"),
    P("W", "full paper deadline in New York time?", "d=paper ; "
      "has=Friday 12 April 2030, 01:00 EDT", "zone"),
    P("W", "full paper deadline - is that NZDT or NZST?", "d=paper ; has=17:00 NZST ; "
      "not=No:", "zone"),
    P("W", "is the deadline NZDT or NZST?", "d=abstract ; has=17:00 NZDT", "zone"),
    P("W", "CET or CEST?", "d=abstract ; has=06:00 CEST ; not=Which date", "zone"),
    P("W", "notification in Tokyo time", "d=notification ; has=JST", "zone"),
    P("W", "what time does the excursion start in UTC?", "d=excursion ; "
      "has=Saturday 28 September 2030, 21:00 UTC", "dst"),
    P("W", "when is the workshop?", f"d=workshop ; at={W_WS} ; has=Friday 27 September 2030 ; "
      "has=Monday 30 September 2030 ; has=NZST ; has=NZDT", "dst"),
    P("W", "when is the workshop in Berlin time?", "d=workshop ; "
      "has=Thursday 26 September 2030, 14:00 CEST", "dst"),
    P("W", "how many days is the workshop?", "d=workshop ; has=4 days", "length"),
    P("W", "is the workshop two days?", "no ; d=workshop ; has=4 days", "length"),
    P("W", "how long is the conference?", "d=workshop ; has=4 days", "length"),
    P("W", "does the workshop start on a Friday?", "yes ; d=workshop", "weekday"),
    P("W", "when does the workshop end?", "d=workshop ; has=Monday 30 September 2030", "topic"),
    P("W", "how many days until the workshop?", "d=workshop ; has=185 days", "relative"),
    P("W", "how long do I have until the paper deadline?", "d=paper ; has=18 days 5 hours",
      "relative"),
    P("W", "is anything due next week?", "yes ; d=abstract", "relative"),
    P("W", "is the abstract due tomorrow?", "yes ; d=abstract", "relative", W_EVE),
    P("W", "is it still possible to submit an abstract?", "no ; d=abstract", "relative",
      W_BETWEEN),
    P("W", "can I still submit the full paper?", "yes ; d=paper", "relative", W_BETWEEN),
    P("W", "what's due next?", "d=abstract", "relative"),
    P("W", "what's due next?", "d=paper", "relative", W_BETWEEN),
    P("W", "are results out?", "yes ; d=notification", "relative", "2030-06-20T00:00:00+00:00"),
    P("W", "was the paper deadline extended?", "no ; d=paper", "yesno"),
    P("W", "has camera-ready been extended?", "no ; d=camera-ready", "yesno"),
    P("W", "what day of the week is the notification?", "d=notification ; has=Friday",
      "weekday"),
    P("W", "is the camera-ready due on a Friday?", "yes ; d=camera-ready", "weekday"),
    P("W", "is the excursion in the morning?", "yes ; d=excursion", "yesno"),
    P("W", "when are the abstract and the full paper due?", "dates=abstract,paper ; "
      "has=17:00 NZDT ; has=17:00 NZST", "multi"),
    P("W", "which is first, camera ready or early registration?", "k=compare ; "
      "first=Camera-ready papers come", "order"),
    P("W", "what's after the abstract deadline?", "d=paper", "order"),
    P("W", "what comes after the notification?", "d=camera-ready", "order"),
    P("W", "how long between abstract and paper deadlines?", "k=compare ; has=7 days", "order"),
    P("W", "not the abstract, the full paper: when is it due?", "d=paper ; nodate=abstract",
      "negation"),
    P("W", "when is the paper deadline (not the abstract)?", "d=paper ; nodate=abstract",
      "negation"),
    P("W", "abstarct dedline?", "d=abstract", "typo"),
    P("W", "wen is camra ready", "d=camera-ready", "typo"),
    P("W", "full papr due date", "d=paper", "typo"),
    P("W", "yo when's the ddl?", "d=abstract", "typo"),
    P("W", "when is the visa letter deadline?", "decline", "decline"),
    P("W", "when's the banquet?", "decline", "decline"),
    P("W", "any travel grants?", "decline", "decline"),
    P("W", "when is the rebuttal?", "decline", "decline"),
    # ===== datasys32: tracks, two research cycles, AoE =======================================
    P("Y", "when's the cycle 1 deadline?", f"d=cycle1 ; at={Y_C1} ; "
      "has=Tuesday 1 April 2031, 23:59 AoE ; has=17:29 IST ; has=13 days 11 hours", "topic"),
    P("Y", "research track deadline?", f"d=cycle1 ; at={Y_C1} ; has=cycle 2", "topic"),
    P("Y", "when is the second cycle due?", f"d=cycle2 ; at={Y_C2}", "topic"),
    P("Y", "when is the industry track deadline?", f"d=industry ; at={Y_IND} ; "
      "has=Sunday 20 July 2031, 23:59 AoE ; has=extended", "topic"),
    P("Y", "when are demo proposals due?", f"d=demo ; at={Y_DEMO}", "topic"),
    P("Y", "when do we hear back for cycle 1?", f"d=cycle1-notification ; at={Y_C1N} ; "
      "has=Thursday 15 May 2031", "topic"),
    P("Y", "cycle 2 notification?", f"d=cycle2-notification ; at={Y_C2N} ; "
      "has=Friday 15 August 2031", "topic"),
    P("Y", "when is camera-ready due?", f"d=camera-ready ; at={Y_CR} ; "
      "has=Tuesday 30 September 2031, 23:59 AoE", "topic"),
    P("Y", "registration deadline?", f"d=author-registration ; at={Y_REG}", "topic"),
    P("Y", "when is DataSys?", f"d=conference ; at={Y_CONF} ; has=Monday 12 January 2032 ; "
      "has=Thursday 15 January 2032", "topic"),
    P("Y", "where is it held?", "has=Singapore", "topic"),
    P("Y", "how many pages for industry papers?", "has=6 for industry", "topic"),
    P("Y", "are there rolling deadlines?", "has=two cycles", "topic"),
    P("Y", "can I resubmit in the next cycle?", "has=resubmitted in cycle 2", "topic"),
    P("Y", "is the deadline AoE?", "yes ; d=cycle1", "zone"),
    P("Y", "what time is the cycle 1 deadline in Singapore?", "d=cycle1 ; "
      "has=Wednesday 2 April 2031, 19:59", "zone"),
    P("Y", "author registration deadline in Singapore time?", "d=author-registration ; "
      "has=Wednesday 15 October 2031, 23:59", "zone"),
    P("Y", "when is the author registration deadline in IST?", "d=author-registration ; "
      "has=21:29 IST", "zone"),
    P("Y", "deadline for cycle 1 for me in my timezone UTC+2?", "d=cycle1 ; "
      "has=13:59 UTC+02:00", "zone"),
    P("Y", "what time in Berlin is the cycle 1 deadline?", "d=cycle1 ; has=13:59 CEST", "zone"),
    P("Y", "cycle 1 deadline in PT", "d=cycle1 ; has=Wednesday 2 April 2031, 04:59 PDT", "zone"),
    P("Y", "has the industry deadline been extended?", "yes ; d=industry ; has=13 July 2031",
      "yesno"),
    P("Y", "what was the original industry deadline?", "d=industry ; has=13 July 2031",
      "yesno"),
    P("Y", "is the cycle 1 deadline on a Tuesday?", "yes ; d=cycle1", "weekday"),
    P("Y", "what day of the week is the industry deadline?", "d=industry ; has=Sunday",
      "weekday"),
    P("Y", "how long is the conference?", "d=conference ; has=4 days", "length"),
    P("Y", "is the conference two days?", "no ; d=conference ; has=4 days", "length"),
    P("Y", "is cycle 1 still open?", "no ; d=cycle1", "relative", Y_AFTER_C1),
    P("Y", "is it still possible to submit to the research track?", "yes ; d=cycle2",
      "relative", Y_AFTER_C1),
    P("Y", "how long do I have for cycle 1?", "d=cycle1 ; has=13 days 11 hours", "relative"),
    P("Y", "is anything due tomorrow?", "yes ; d=cycle1", "relative",
      "2031-04-01T00:00:00+00:00"),
    P("Y", "is the camera-ready deadline next week?", "yes ; d=camera-ready", "relative",
      "2031-09-22T00:00:00+00:00"),
    P("Y", "when are cycle 1 and cycle 2 due?", "dates=cycle1,cycle2", "multi"),
    P("Y", "when are the industry and demo deadlines?", "dates=industry,demo", "multi"),
    P("Y", "which is first, industry or demo?", "k=compare ; "
      "first=Industry track submission", "order"),
    P("Y", "what's after cycle 2?", "d=industry", "order"),
    P("Y", "what comes before the camera-ready?", "d=cycle2-notification", "order"),
    P("Y", "how many days between the cycle 1 deadline and the cycle 1 notification?",
      "k=compare ; has=44 days", "order"),
    P("Y", "not cycle 1, the cycle 2 deadline please", "d=cycle2 ; nodate=cycle1", "negation"),
    P("Y", "cylce 2 dedline", "d=cycle2", "typo"),
    P("Y", "deadline pls", "d=cycle1", "typo"),
    P("Y", "gonna miss cycle 1, when's the next one?", "d=cycle2", "order"),
    P("Y", "indsutry track due?", "d=industry", "typo"),
    P("Y", "when is the poster deadline?", "decline", "decline"),
    P("Y", "what's the registration fee?", "decline ; has=fees", "decline"),
    P("Y", "is there a visa letter?", "decline", "decline"),
    P("Y", "when is the workshop proposal deadline?", "decline ; has=workshop", "decline"),
    P("Y", "can I submit late?", "has=does not say", "decline"),
    # ===== carnet29: UTC-04:00, a poster deadline, a two-day workshop ========================
    P("R", "when is the paper deadline?", f"d=paper ; at={R_PAPER} ; "
      "has=Thursday 31 May 2029, 23:59 UTC-04:00 ; has=05:59 CEST ; has=11 days 15 hours",
      "topic"),
    P("R", "poster abstracts - by when?", f"d=poster ; at={R_POSTER} ; "
      "has=Friday 15 June 2029, 12:00 UTC-04:00", "topic"),
    P("R", "when is the workshop?", f"d=workshop ; at={R_WS} ; has=Monday 27 August 2029 ; "
      "has=09:00 ; has=Tuesday 28 August 2029", "topic"),
    P("R", "what time does the workshop end?", "d=workshop ; has=17:00", "topic"),
    P("R", "is the workshop in San Juan?", "yes", "topic"),
    P("R", "is there a page limit?", "has=6 pages", "topic"),
    P("R", "is it double blind?", "no", "yesno"),
    P("R", "what zone are the deadlines in?", "has=UTC-04:00", "zone"),
    P("R", "when is the poster deadline in my time?", "d=poster ; has=18:00 CEST", "zone"),
    P("R", "is the paper deadline AoE?", "no ; d=paper", "zone"),
    P("R", "paper deadline in UTC", "d=paper ; has=Friday 1 June 2029, 03:59 UTC", "zone"),
    P("R", "deadline in UTC-4?", "d=paper ; has=23:59 UTC-04:00", "zone"),
    P("R", "what time does the workshop start for me?", "d=workshop ; has=15:00 CEST", "zone"),
    P("R", "when does the workshop start in Tokyo?", "d=workshop ; has=22:00 JST", "zone"),
    P("R", "when's the camera ready due, Madrid time?", "d=camera-ready ; "
      "has=Saturday 21 July 2029, 05:59 CEST", "zone"),
    P("R", "poster deadline at noon?", "yes ; d=poster", "yesno"),
    P("R", "is the workshop two days?", "yes ; d=workshop", "length"),
    P("R", "how many days is the workshop?", "d=workshop ; has=2 days", "length"),
    P("R", "how long is the workshop?", "d=workshop ; has=2 days", "length"),
    P("R", "what day of the week is the notification?", "d=notification ; has=Monday",
      "weekday"),
    P("R", "is notification on a Monday?", "yes ; d=notification", "weekday"),
    P("R", "the workshop starts the 27th, right?", "yes ; d=workshop", "weekday"),
    P("R", "can I still submit a paper?", "no ; d=paper", "relative", R_AFTER_PAPER),
    P("R", "is it too late for posters?", "no ; d=poster", "relative", R_AFTER_PAPER),
    P("R", "has the notification come out?", "yes ; d=notification", "relative",
      "2029-07-03T00:00:00+00:00"),
    P("R", "is registration open?", "d=registration ; not=No:", "relative", R_REG_OPEN),
    P("R", "how long do I have to register?", "d=registration ; has=10 days 3 hours",
      "relative", R_REG_OPEN),
    P("R", "what's due this week?", "d=paper", "relative", R_WEEK),
    P("R", "is the paper deadline this week?", "yes ; d=paper", "relative", R_WEEK),
    P("R", "when are camera-ready and registration due?", "dates=camera-ready,registration",
      "multi"),
    P("R", "which is first, the poster deadline or the notification?", "k=compare ; "
      "has=Poster abstracts due comes first", "order"),
    P("R", "what's after the paper deadline?", "d=poster", "order"),
    P("R", "how many days between notification and camera ready?", "k=compare ; has=18 days",
      "order"),
    P("R", "anything other than the poster deadline?", "nodate=poster ; has=Paper submission",
      "negation"),
    P("R", "registration, not paper submission: when?", "d=registration ; nodate=paper",
      "negation"),
    P("R", "not the paper, the poster deadline?", "d=poster ; nodate=paper", "negation"),
    P("R", "whens the papr deadlin", "d=paper", "typo"),
    P("R", "lol when do i hear back", "d=notification", "typo"),
    P("R", "regstration deadline?", "d=registration", "typo"),
    P("R", "visa letter?", "decline", "decline"),
    P("R", "when is the banquet?", "decline", "decline"),
    P("R", "when is the rebuttal?", "decline", "decline"),
    # ===== the schedules earlier rounds used ================================================
    P("S", "when's the deadline?", "d=abstract ; at=2017-09-11T06:59:00+00:00 ; "
      "has=Sunday 10 September 2017, 23:59 PDT", "topic"),
    P("S", "is it AoE?", "no ; d=abstract", "zone"),
    P("S", "PST or PDT?", "d=abstract ; has=PDT", "zone"),
    P("S", "what time in Berlin?", "d=abstract ; has=08:59 CEST", "zone"),
    P("S", "deadline for me in IST?", "d=abstract ; has=12:29 IST", "zone"),
    P("S", "when is the deadline in my timezone UTC+2?", "d=abstract ; has=08:59 UTC+02:00",
      "zone"),
    P("S", "how long is the workshop?", "d=workshop ; has=1 day", "length"),
    P("S", "is the workshop two days?", "no ; d=workshop ; has=1 day", "length"),
    P("S", "has camera-ready been extended?", "no ; d=camera-ready", "yesno"),
    P("S", "was the deadline extended?", "yes ; d=abstract", "yesno"),
    P("S", "when are the notification and camera-ready?", "dates=notification,camera-ready",
      "multi"),
    P("S", "what day of the week is the workshop?", "d=workshop ; has=Saturday", "weekday"),
    P("S", "is it still possible to submit?", "no ; d=abstract", "relative",
      "2017-09-12T00:00:00+00:00"),
    P("S", "how long do I have?", "d=abstract ; has=9 days 18 hours", "relative"),
    P("S", "anything other than the poster deadline?", "nodate=abstract ; "
      "has=Acceptance notifications", "negation"),
    P("I", "registration, not paper registration - when does it close?",
      "d=registration ; nodate=paper-registration", "negation"),
    P("I", "not the abstract, the full paper - when is it due?", "d=paper ; "
      "nodate=paper-registration", "negation"),
    P("I", "is registration open?", "yes ; has=Conference registration closes", "relative",
      "2027-06-20T00:00:00+00:00"),
    P("I", "is registration still open?", "yes ; has=Conference registration closes",
      "relative", "2027-06-20T00:00:00+00:00"),
    P("I", "how long is the conference?", "d=conference ; has=3 days", "length"),
    P("I", "is the conference three days?", "yes ; d=conference", "length"),
    P("I", "is the conference two days?", "no ; d=conference ; has=3 days", "length"),
    P("I", "is the full paper deadline AoE?", "yes ; d=paper", "zone"),
    P("I", "what time is the full paper deadline for me in IST?", "d=paper ; has=17:29 IST",
      "zone"),
    P("I", "full paper deadline in my timezone UTC+2", "d=paper ; has=13:59 UTC+02:00", "zone"),
    P("I", "early bird: CET or CEST?", "d=early-bird ; has=04:59 CEST", "zone"),
    P("I", "CET or CEST?", "d=paper-registration ; has=12:59 CET ; not=Which date", "zone"),
    P("I", "when are abstracts and full papers due?", "dates=paper-registration,paper",
      "multi"),
    P("I", "when does the rebuttal end?", "d=rebuttal ; has=Friday 23 April 2027", "topic"),
    P("I", "what's after the notification?", "d=camera-ready", "order"),
    P("I", "has camera-ready been extended?", "no ; d=camera-ready", "yesno"),
    P("I", "what day of the week is the camera-ready deadline?", "d=camera-ready ; "
      "has=Tuesday", "weekday"),
    P("I", "how long do I have until the paper registration deadline?",
      "d=paper-registration ; has=5 days 11 hours", "relative"),
    P("I", "when's the cutoff for full papers?", "d=paper ; at=2027-03-13T11:59:00+00:00",
      "topic"),
    P("I", "due date for camera ready", "d=camera-ready ; at=2027-06-02T11:59:00+00:00",
      "topic"),
    P("I", "what's due next week?", "d=paper", "relative", "2027-03-03T00:00:00+00:00"),
    P("D", "Wann ist die Deadline?", "d=submission ; not=IST", "zone"),
    P("D", "wann ist der workshop?", "d=workshop ; not=IST", "zone"),
    P("D", "Wann ist die Deadline in IST?", "d=submission ; has=15:30 IST", "zone"),
    P("D", "quelle est la deadline ?", "d=submission ; not=EDT", "zone"),
    P("D", "how many days is the workshop?", "d=workshop ; has=2 days", "length"),
    P("D", "is the workshop two days?", "yes ; d=workshop", "length"),
    P("D", "how long is the tutorial?", "d=tutorial ; has=3 hours 30 minutes", "length"),
    P("D", "is the submission deadline CET or CEST?", "d=submission ; has=12:00 CEST", "zone"),
    P("D", "tutorial: CET or CEST?", "d=tutorial ; has=09:00 CET", "zone"),
    P("D", "what time is the registration deadline for me in IST?", "d=registration ; "
      "has=03:29 IST", "zone"),
    P("D", "when is the camera-ready in my timezone UTC+2?", "d=camera-ready ; "
      "has=18:00 UTC+02:00", "zone"),
    P("D", "registration deadline, not the paper one", "d=registration ; nodate=submission",
      "negation"),
    P("D", "what's after the camera ready?", "d=registration", "order"),
    P("D", "which is first, the tutorial or the workshop?", "k=compare ; "
      "has=Tutorial on fault injection comes first", "order"),
    P("H", "Wann ist die Deadline?", "d=submission ; not=IST", "zone"),
    P("H", "how long is the workshop?", "d=workshop ; has=4 hours", "length"),
    P("L", "how long is the summer school?", "d=school ; has=12 days", "length"),
    P("L", "is the school two weeks long?", "no ; d=school ; has=12 days", "length"),
    P("L", "application deadline, is it IST?", "yes ; d=application", "zone"),
    P("L", "what's the cutoff for reference letters?", "d=letters ; "
      "at=2028-03-22T18:29:00+00:00", "topic"),
    P("L", "when are the application and the letters due?", "dates=application,letters",
      "multi"),
    P("L", "not the application, the travel grant deadline?", "d=grant ; nodate=application",
      "negation"),
    P("A", "is registration open?", "yes", "relative", "2029-02-01T00:00:00+00:00"),
    P("A", "is registration open?", "yes", "relative", "2029-03-05T00:00:00+00:00"),
    P("A", "how long is the conference?", "d=conference ; has=4 days", "length"),
    P("A", "when is APSys in my time?", "d=conference ; has=14:00 BST", "zone"),
    P("A", "when is the conference?", "d=conference ; has=AEDT ; has=AEST", "dst"),
    P("B", "when is the conference?", "d=conference ; has=CET ; has=CEST", "dst"),
    P("T", "when's the industry track due?", "d=industry ; at=2030-10-02T11:59:00+00:00",
      "topic"),
    P("T", "not the research track, the industry one", "d=industry ; nodate=research-paper",
      "negation"),
    P("T", "is the research deadline extended?", "yes ; d=research-paper", "yesno"),
    P("T", "when are the research abstract and full paper due?",
      "dates=research-abstract,research-paper", "multi"),
    P("T", "how long is the conference?", "d=conference ; has=4 days", "length"),
    P("T", "when do industry papers hear back?", "d=industry-notification", "topic"),
    P("M", "not the abstract, the full paper", "d=paper ; nodate=abstract", "negation"),
    P("M", "how long is the discussion phase?", "d=discussion ; has=13 days", "length"),
    P("M", "is the rebuttal one week long?", "yes ; d=rebuttal", "length"),
    P("N", "is the workshop two days?", "yes", "length"),
    P("N", "how long is the workshop?", "has=2 days", "length"),
    P("K", "is the workshop one day?", "yes ; d=workshop", "length"),
    P("K", "how many days is the workshop?", "d=workshop ; has=1 day", "length"),
)


SCHEDULES = Schedules(FILES, NOW, READER)


def test_enough_new_held_out_probes_on_new_schedules() -> None:
    assert len(PROBES) >= 150
    for new in ("W", "Y", "R"):
        assert sum(p.schedule == new for p in PROBES) >= 35


def test_every_new_held_out_probe_gets_what_a_good_organizer_would_answer() -> None:
    misses = SCHEDULES.misses("held-out probes, round 9", PROBES)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


ROUND10: tuple[P, ...] = (
    # Written after the set above passed, on the same schedules, from the TOML alone: variants
    # of what it taught (lengths, what is set aside, either-or zones, "the next one").
    P("W", "is the workshop 4 days long?", "yes ; d=workshop", "length"),
    P("W", "is it a three-day workshop?", "no ; d=workshop ; has=4 days", "length"),
    P("W", "how many days does the workshop run?", "d=workshop ; has=4 days", "length"),
    P("W", "not the workshop, the excursion: when?", "d=excursion ; nodate=workshop",
      "negation"),
    P("W", "besides the abstract, what's due?", "nodate=abstract ; has=Full paper deadline",
      "negation"),
    P("W", "NZST or NZDT for the camera ready?", "d=camera-ready ; has=23:59 NZST", "zone"),
    P("W", "is the abstract deadline in NZDT?", "yes ; d=abstract", "zone"),
    P("W", "is the paper deadline NZDT?", "no ; d=paper", "zone"),
    P("W", "excursion: NZST or NZDT?", "d=excursion ; has=10:00 NZDT", "zone"),
    P("W", "is the early registration deadline still open?", "no ; d=early", "relative",
      "2030-09-10T00:00:00+00:00"),
    P("W", "can I still register early?", "yes ; d=early", "relative",
      "2030-09-01T00:00:00+00:00"),
    P("Y", "is the industry deadline AoE?", "yes ; d=industry", "zone"),
    P("Y", "apart from the research track, which deadlines are there?",
      "nodate=cycle1 ; nodate=cycle2 ; has=Industry track submission", "negation"),
    P("Y", "missed the industry deadline, what's the next one?", "d=demo", "order",
      "2031-07-25T00:00:00+00:00"),
    P("Y", "how long is the conference in days?", "d=conference ; has=4 days", "length"),
    P("Y", "is DataSys a 4-day conference?", "yes ; d=conference", "length"),
    P("Y", "CET or CEST?", "d=cycle1 ; first=Neither", "zone"),
    P("Y", "is cycle 2 open yet?", "yes ; d=cycle2", "relative", Y_AFTER_C1),
    P("Y", "Wann ist die cycle 2 deadline?", "d=cycle2 ; not=can mean", "zone"),
    P("R", "is the workshop one day or two?", "d=workshop ; has=2 days", "length"),
    P("R", "UTC-4 or UTC-5?", "d=paper ; has=23:59 UTC-04:00", "zone"),
    P("R", "is the registration deadline still open?", "yes ; d=registration", "relative"),
    P("R", "anything besides the paper due in June?", "nodate=paper ; "
      "has=Poster abstracts due", "negation"),
    P("R", "not the camera ready, the registration: when is it?",
      "d=registration ; nodate=camera-ready", "negation"),
    P("I", "registration (not the early bird one) closes when?",
      "d=registration ; nodate=early-bird", "negation"),
    P("I", "rather than the paper registration, when's the full paper due?",
      "d=paper ; nodate=paper-registration", "negation"),
    P("I", "is the rebuttal 4 days?", "yes ; d=rebuttal", "length"),
    P("I", "is the conference a week long?", "no ; d=conference ; has=3 days", "length"),
    P("D", "ist der Workshop in CET?", "yes ; d=workshop", "zone"),
    P("D", "est-ce que la deadline est en CEST ?", "yes ; d=submission", "zone"),
    P("D", "is the tutorial 3 hours?", "no ; d=tutorial", "length"),
    P("D", "is the workshop two days long?", "yes ; d=workshop", "length"),
    P("K", "how many hours is the workshop?", "d=workshop ; has=8 hours", "length"),
    P("S", "is it a one-day workshop?", "yes ; d=workshop", "length"),
    P("S", "apart from the abstract deadline, what else is there?",
      "nodate=abstract ; has=Acceptance notifications", "negation"),
    P("A", "is registration still open?", "yes", "relative", "2029-03-05T00:00:00+00:00"),
    P("A", "has registration closed?", "no", "relative", "2029-03-05T00:00:00+00:00"),
    P("T", "not the industry notification, the research one",
      "d=research-notification ; nodate=industry-notification", "negation"),
    P("T", "is the conference four days?", "yes ; d=conference", "length"),
)


def test_a_tenth_round_written_after_the_ninth_passed() -> None:
    misses = SCHEDULES.misses("held-out probes, round 10", ROUND10)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


ROUND11: tuple[P, ...] = (
    # An eleventh round, written after the tenth passed: phrasings none of the above used.
    P("W", "till when can I upload the camera-ready?", f"d=camera-ready ; at={W_CR}", "topic"),
    P("W", "whats the last day for early reg?", f"d=early ; at={W_EARLY}", "topic"),
    P("W", "remind me the full-paper cutoff in UTC pls", "d=paper ; "
      "has=Friday 12 April 2030, 05:00 UTC", "zone"),
    P("W", "i'm in Mumbai - when's the abstract due for me?", "d=abstract ; has=09:30 IST",
      "zone"),
    P("W", "is the excursion on the day the clocks change?", "yes ; d=excursion", "dst"),
    P("W", "hours left for the abstract?", "d=abstract ; has=11 days 4 hours", "relative"),
    P("W", "deadline tomorrow?", "yes ; d=abstract", "relative", W_EVE),
    P("W", "what's happening next week?", "d=abstract", "relative"),
    P("W", "which comes first: the notification or the camera-ready?", "k=compare ; "
      "first=Notification of acceptance", "order"),
    P("W", "what's before the workshop?", "d=early", "order"),
    P("W", "when is the poster session?", "decline", "decline"),
    P("W", "do you offer childcare?", "decline", "decline"),
    P("Y", "when do cycle 1 results come out?", f"d=cycle1-notification ; at={Y_C1N}", "topic"),
    P("Y", "demo deadline in Singapore time", "d=demo ; has=Saturday 2 August 2031, 19:59",
      "zone"),
    P("Y", "what time does the industry deadline close in New York?", "d=industry ; "
      "has=Monday 21 July 2031, 07:59 EDT", "zone"),
    P("Y", "industry deadline for me in UTC+9", "d=industry ; has=20:59 UTC+09:00", "zone"),
    P("Y", "was the demo deadline extended?", "no ; d=demo", "yesno"),
    P("Y", "when is cycle 2 notification and camera ready?",
      "dates=cycle2-notification,camera-ready", "multi"),
    P("Y", "how many days between the industry deadline and camera-ready?", "k=compare ; "
      "has=72 days", "order"),
    P("Y", "is the conference in Singapore?", "yes", "topic"),
    P("Y", "when is the keynote?", "decline", "decline"),
    P("R", "when must posters be in?", f"d=poster ; at={R_POSTER}", "topic"),
    P("R", "by what date do I need to register?", f"d=registration ; at={R_REG}", "topic"),
    P("R", "poster deadline in Eastern time", "d=poster ; has=12:00 EDT", "zone"),
    P("R", "is the poster deadline in the afternoon?", "no ; d=poster", "yesno"),
    P("R", "is the paper deadline on a Thursday?", "yes ; d=paper", "weekday"),
    P("R", "how long until the workshop?", "d=workshop ; has=99 days", "relative"),
    P("R", "when do we get the reviews back?", f"d=notification ; at={R_NOTIF}", "topic"),
    P("R", "is the notification before the camera ready?", "yes ; k=compare", "order"),
    P("R", "what's the registration fee?", "decline ; has=fees", "decline"),
    P("S", "what time exactly? i'm in berlin", "d=abstract ; has=08:59 CEST", "zone"),
    P("S", "is the notification a Wednesday?", "yes ; d=notification", "weekday"),
    P("I", "paper reg deadline?", "d=paper-registration", "typo"),
    P("I", "what's after the rebuttal?", "d=notification", "order"),
    P("D", "is registration open?", "yes ; d=registration", "relative"),
    P("D", "how long is the workshop?", "d=workshop ; has=2 days", "length"),
    P("L", "how many days is the school?", "d=school ; has=12 days", "length"),
    P("A", "is the conference over the Easter weekend?", "d=conference", "topic"),
)


def test_an_eleventh_round_written_after_the_tenth_passed() -> None:
    misses = SCHEDULES.misses("held-out probes, round 11", ROUND11)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


ROUND12: tuple[P, ...] = (
    # A twelfth round, written after the eleventh passed: declines that must list what the
    # schedule holds, several topics at once, zones written in other ways.
    P("W", "when is the hackathon?", "decline ; has=The schedule has:", "decline"),
    P("W", "when is the student volunteer deadline?", "decline", "decline"),
    P("W", "when will the proceedings be published?", "decline", "decline"),
    P("W", "when's the abstract and where's the workshop?", "d=abstract ; has=Wellington",
      "multi"),
    P("W", "abstract + full paper deadlines in GMT?", "dates=abstract,paper ; "
      "has=Friday 5 April 2030, 04:00 ; has=Friday 12 April 2030, 05:00", "multi"),
    P("W", "paper deadline in Europe/Berlin", "d=paper ; has=07:00 CEST", "zone"),
    P("W", "abstract deadline at +05:30?", "d=abstract ; has=09:30", "zone"),
    P("W", "what time is the excursion in Sydney?", "d=excursion ; has=07:00 AEST", "zone"),
    P("W", "is the workshop in Auckland?", "no ; has=Wellington", "topic"),
    P("Y", "when is the rebuttal for cycle 1?", "decline", "decline"),
    P("Y", "when is the artifact evaluation deadline?", "decline", "decline"),
    P("Y", "cycle 1, cycle 2 and industry deadlines?", "dates=cycle1,cycle2,industry", "multi"),
    P("Y", "when is camera ready and how many pages?", "d=camera-ready ; has=12 pages",
      "multi"),
    P("Y", "cycle 2 deadline in Asia/Tokyo", "d=cycle2 ; has=20:59 JST", "zone"),
    P("Y", "cycle 2 deadline GMT+8", "d=cycle2 ; has=19:59 UTC+08:00", "zone"),
    P("Y", "is the conference in January?", "yes ; d=conference", "relative"),
    P("Y", "does the conference start on a Monday?", "yes ; d=conference", "weekday"),
    P("R", "when is the tutorial?", "decline", "decline"),
    P("R", "is there a best paper award?", "decline", "decline"),
    P("R", "paper and poster deadlines in Madrid time", "dates=paper,poster ; "
      "has=05:59 CEST ; has=18:00 CEST", "multi"),
    P("R", "paper deadline in Puerto Rico time", "d=paper ; has=23:59", "zone"),
    P("R", "is the paper deadline at midnight?", "d=paper ; has=23:59", "yesno"),
    P("R", "is the workshop in August?", "yes ; d=workshop", "relative"),
    P("R", "what's the earliest deadline?", "d=paper", "order"),
    P("R", "which is the last deadline?", "d=registration", "order"),
    P("I", "what do I need to submit by March 5?", "d=paper-registration", "topic"),
    P("I", "when is the workshop proposal deadline?", "decline", "decline"),
    P("D", "when is the poster deadline?", "decline", "decline"),
    P("D", "tutorial and workshop times in UTC", "dates=tutorial,workshop ; has=08:00 UTC",
      "multi"),
    P("A", "when is the industry track?", "decline", "decline"),
)


def test_a_twelfth_round_written_after_the_eleventh_passed() -> None:
    misses = SCHEDULES.misses("held-out probes, round 12", ROUND12)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


ROUND13: tuple[P, ...] = (
    # A thirteenth round, written after the twelfth passed: slang, typos, short forms.
    P("W", "ddl for full paper??", "d=paper", "typo"),
    P("W", "camready due wen", "d=camera-ready", "typo"),
    P("W", "whens early reg close", "d=early", "typo"),
    P("W", "notif date?", "d=notification", "typo"),
    P("W", "workshp dates", "d=workshop", "typo"),
    P("W", "is the abstract deadline AoE or NZ time?", "d=abstract ; first=The schedule gives",
      "zone"),
    P("W", "abstract deadline - my time is UTC-3", "d=abstract ; has=01:00 UTC-03:00", "zone"),
    P("W", "has the abstract deadline been moved?", "no ; d=abstract", "yesno"),
    P("W", "is the notification out?", "no ; d=notification", "relative"),
    P("W", "can i still submit?", "yes ; d=abstract", "relative"),
    P("W", "too late for the abstract?", "yes ; d=abstract", "relative", W_BETWEEN),
    P("Y", "cycle1 deadline", "d=cycle1", "typo"),
    P("Y", "C2 notification?", "d=cycle2-notification", "typo"),
    P("Y", "industy track deadlne", "d=industry", "typo"),
    P("Y", "wat time is the demo deadline in london", "d=demo ; has=12:59 BST", "zone"),
    P("Y", "is the author registration deadline AoE?", "no ; d=author-registration", "zone"),
    P("Y", "what's the time zone for author registration?", "d=author-registration ; "
      "has=Asia/Singapore", "zone"),
    P("Y", "is cycle 1 notification before cycle 2 deadline?", "yes ; k=compare", "order"),
    P("Y", "when do i hear back if i submit in cycle 2?", "d=cycle2-notification", "topic"),
    P("R", "poster ddl?", "d=poster", "typo"),
    P("R", "registraion closes when", "d=registration", "typo"),
    P("R", "camera rdy?", "d=camera-ready", "typo"),
    P("R", "how many days till the paper deadline?", "d=paper ; has=11 days", "relative"),
    P("R", "is the workshop on monday and tuesday?", "yes ; d=workshop", "weekday"),
    P("R", "what's the deadline in AoE?", "d=paper ; has=Thursday 31 May 2029, 15:59 AoE",
      "zone"),
    P("S", "deadline in AoE pls", "d=abstract ; has=Sunday 10 September 2017, 18:59 AoE",
      "zone"),
    P("I", "is the full paper ddl firm or will it be extended?", "d=paper", "yesno"),
    P("D", "visa letter ddl?", "d=visa", "typo"),
    P("L", "ref letters due when?", "d=letters", "typo"),
    P("K", "is the notification on friday?", "yes ; d=notification", "weekday"),
)


def test_a_thirteenth_round_written_after_the_twelfth_passed() -> None:
    misses = SCHEDULES.misses("held-out probes, round 13", ROUND13)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


ROUND14: tuple[P, ...] = (
    # A fourteenth round, written after the thirteenth passed, on the other schedules of
    # tests/data/ask (ccfsys26 is C: a workshop in China, bilingual titles, a cancelled date).
    P("C", "when is round 1 due in Berlin time?", "d=round1 ; has=16:59 CET", "zone"),
    P("C", "has round 1 been extended?", "yes ; d=round1 ; has=8 March 2026", "yesno"),
    P("C", "is the tutorial still on?", "d=tutorial ; has=cancelled", "relative"),
    P("C", "what's after round 2?", "d=notification", "order"),
    P("C", "how long is the workshop?", "d=workshop ; has=2 days", "length"),
    P("C", "is the workshop two days?", "yes ; d=workshop", "length"),
    P("C", "when is round 2 for me in my timezone UTC+2?", "d=round2 ; has=17:59 UTC+02:00",
      "zone"),
    P("C", "what day of the week is the notification?", "d=notification ; has=Monday",
      "weekday"),
    P("C", "is the camera ready due next week?", "yes ; d=camera-ready", "relative",
      "2026-06-10T00:00:00+00:00"),
    P("C", "when are round 1 and round 2?", "dates=round1,round2", "multi"),
    P("H", "is it still possible to submit?", "yes ; d=submission", "relative"),
    P("H", "has camera-ready been extended?", "no ; d=camera-ready", "yesno"),
    P("H", "when is the camera-ready due for me in IST?", "d=camera-ready ; has=03:30 IST",
      "zone"),
    P("H", "what's after the paper deadline?", "d=camera-ready", "order"),
    P("K", "when is camera-ready in my timezone UTC+2?", "d=camera-ready ; "
      "has=10:00 UTC+02:00", "zone"),
    P("K", "what day of the week is the workshop?", "d=workshop ; has=Monday", "weekday"),
    P("N", "what's after the rebuttal?", "d=notif", "order"),
    P("N", "which is first, camera ready or early registration?", "k=compare ; "
      "first=Camera ready", "order"),
    P("N", "is the rebuttal three days?", "yes ; d=reb", "length"),
    P("N", "when does the workshop end?", "d=day2 ; has=13:00 EDT", "topic"),
    P("M", "is the discussion phase two weeks?", "no ; d=discussion ; has=13 days", "length"),
    P("M", "has the paper deadline been extended?", "no ; d=paper", "yesno"),
    P("M", "when is the early registration deadline in my timezone UTC+2?",
      "d=early-registration ; has=08:59 UTC+02:00", "zone"),
    P("T", "what's after the demo deadline?", "d=research-notification", "order"),
    P("T", "is the industry track still open?", "yes ; d=industry", "relative"),
    P("T", "when are the industry and demo deadlines in IST?", "dates=industry,demo ; "
      "has=17:29 IST", "multi"),
    P("T", "which is first, industry notification or research notification?", "k=compare ; "
      "first=Research track notification", "order"),
    P("B", "how long is the author response period?", "d=response ; has=4 days", "length"),
    P("B", "is the response period four days?", "yes ; d=response", "length"),
    P("B", "is it still possible to submit?", "yes ; has=Full paper submission", "relative",
      "2027-10-12T00:00:00+00:00"),
)


def test_a_fourteenth_round_written_after_the_thirteenth_passed() -> None:
    misses = SCHEDULES.misses("held-out probes, round 14", ROUND14)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


THREADS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # A thread's questions in order; the last one's reply is checked (written with round 14).
    ("W", ("when is the workshop?", "how many days?"), "d=workshop ; has=4 days"),
    ("W", ("when is the abstract due?", "and the full paper?"), "d=paper"),
    ("W", ("when is the abstract due?", "in IST?"), "d=abstract ; has=09:30 IST"),
    ("Y", ("when is cycle 1?", "and the next one?"), "d=cycle2"),
    ("Y", ("when's the industry deadline?", "was it extended?"),
     "yes ; d=industry ; has=13 July 2031"),
    ("R", ("when is the workshop?", "is it two days?"), "yes ; d=workshop"),
    ("R", ("when is the paper deadline?", "CET or CEST?"), "d=paper ; has=05:59 CEST"),
    ("D", ("when is the tutorial?", "CET or CEST?"), "d=tutorial ; has=09:00 CET"),
    ("I", ("when does conference registration close?", "not the early bird one, right?"),
     "d=registration"),
)


@pytest.mark.parametrize("thread", THREADS, ids=lambda t: f"{t[0]}:{t[1][-1][:30]}")
def test_a_follow_up_in_a_thread_of_the_new_schedules(
        thread: tuple[str, tuple[str, ...], str]) -> None:
    name, questions, expect = thread
    reply = SCHEDULES.thread(name, questions)
    bad = wrong(P(name, questions[-1], expect, "thread"), reply)
    assert not bad, f"{bad}\n{reply.text}"
