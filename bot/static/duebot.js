/* duebot's dates page: each time in the viewer's own zone, and countdowns that keep counting.
 * Without this script the page still reads well: the server writes every time in the date's own
 * zone and each countdown as of the request. Words and rounding match bot/timefmt.py; the words
 * are the page's language, from <body data-words> (bot.core.page.script_words). */
(function () {
  "use strict";

  var viewerZone = (Intl.DateTimeFormat().resolvedOptions().timeZone) || "";

  var WORDS = {
    units: { day: ["{n} day", "{n} days"], hour: ["{n} hour", "{n} hours"],
      minute: ["{n} minute", "{n} minutes"] },
    between: " ", under_minute: "less than a minute", from_now: "%(time)s from now",
    ago: "passed %(time)s ago", today: "today", under_way: "under way now",
    cancelled: "cancelled", passed: "passed", your_zone: "your browser's zone",
    paren: " (%s)", comma: ", ", locale: "en-US", to: "%(first)s to %(last)s"
  };
  try {
    var given = JSON.parse(document.body.getAttribute("data-words") || "{}");
    Object.keys(given).forEach(function (key) { WORDS[key] = given[key]; });
  } catch (e) { /* the English defaults above */ }

  function plural(n, unit) {
    return WORDS.units[unit][n === 1 ? 0 : 1].replace("{n}", String(n));
  }
  function fill(template, time) { return template.replace("%(time)s", time); }

  /* bot.timefmt.countdown: two units at most. */
  function countdown(ms) {
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(seconds / 86400);
    var rest = seconds - days * 86400;
    var hours = Math.floor(rest / 3600);
    var minutes = Math.floor((rest - hours * 3600) / 60);
    if (days) { return plural(days, "day") + (hours ? WORDS.between + plural(hours, "hour") : ""); }
    if (hours) {
      return plural(hours, "hour") + (minutes ? WORDS.between + plural(minutes, "minute") : "");
    }
    if (minutes) { return plural(minutes, "minute"); }
    return WORDS.under_minute;
  }

  var DAY = 86400000;
  var wallFormats = {};

  /* The wall-clock time of instant ms in zone, as milliseconds of a UTC clock; NaN when the
   * browser does not know the zone. */
  function wall(ms, zone) {
    if (!(zone in wallFormats)) {
      try {
        wallFormats[zone] = new Intl.DateTimeFormat("en-US", {
          timeZone: zone, year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
          minute: "numeric", second: "numeric", hourCycle: "h23"
        });
      } catch (e) { wallFormats[zone] = null; }
    }
    var format = wallFormats[zone];
    if (!format) { return NaN; }
    var p = {};
    format.formatToParts(new Date(ms)).forEach(function (x) { p[x.type] = Number(x.value); });
    return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second) +
      (((ms % 1000) + 1000) % 1000);
  }

  /* bot.timefmt.calendar_delta: from a day on, calendar days and the wall-clock rest in the
   * date's zone (noon to noon is "1 day" over a change of clocks too); under a day, elapsed. */
  function calendarDelta(later, earlier, zone) {
    var elapsed = later - earlier;
    if (!zone) { return elapsed; }
    var clock = wall(later, zone) - wall(earlier, zone);
    if (isNaN(clock)) { return elapsed; }
    return (Math.abs(clock) >= DAY || Math.abs(elapsed) >= DAY) ? clock : elapsed;
  }

  /* bot.timefmt.describe's relation, for timed and all-day dates. */
  function relation(el, now) {
    if (el.getAttribute("data-cancelled") === "true") { return { text: WORDS.cancelled, passed: true }; }
    var start = Date.parse(el.getAttribute("data-start"));
    var end = Date.parse(el.getAttribute("data-end"));
    var zone = el.getAttribute("data-zone") || "";
    if (el.getAttribute("data-all-day") !== "true") {
      var delta = start - now;
      var left = countdown(calendarDelta(start, now, zone));
      if (delta > 0) { return { text: fill(WORDS.from_now, left), passed: false }; }
      return { text: fill(WORDS.ago, left), passed: true };
    }
    if (end <= now) {
      return { text: fill(WORDS.ago, countdown(calendarDelta(now, end, zone))), passed: true };
    }
    if (start <= now) {
      return { text: el.getAttribute("data-range") === "true" ? WORDS.under_way : WORDS.today, passed: false };
    }
    return { text: fill(WORDS.from_now, countdown(calendarDelta(start, now, zone))), passed: false };
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  var partsFormat = new Intl.DateTimeFormat("en-US", {
    timeZone: viewerZone || undefined, weekday: "long", day: "numeric", month: "long",
    year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });
  var nameFormat = new Intl.DateTimeFormat("en-US", {
    timeZone: viewerZone || undefined, timeZoneName: "short"
  });

  function parts(date) {
    var out = {};
    partsFormat.formatToParts(date).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }

  /* "UTC+08:00", as bot.zones.offset_text writes it. */
  function offsetText(date, p) {
    var hour = Number(p.hour) % 24;
    var wall = Date.UTC(Number(p.year), monthIndex(p.month), Number(p.day), hour, Number(p.minute));
    var minutes = Math.round((wall - Math.floor(date.getTime() / 60000) * 60000) / 60000);
    if (minutes === 0) { return "UTC"; }
    var sign = minutes > 0 ? "+" : "-";
    minutes = Math.abs(minutes);
    return "UTC" + sign + two(Math.floor(minutes / 60)) + ":" + two(minutes % 60);
  }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  function monthIndex(name) { return MONTHS.indexOf(name); }

  var chinese = WORDS.locale.slice(0, 2) === "zh";
  var localFormat = chinese ? new Intl.DateTimeFormat(WORDS.locale, {
    timeZone: viewerZone || undefined, weekday: "long"
  }) : null;
  var longNameFormat = chinese ? new Intl.DateTimeFormat(WORDS.locale, {
    timeZone: viewerZone || undefined, timeZoneName: "long"
  }) : null;

  /* The zone's name in the page's language ("中国标准时间"), as CLDR writes it; "" if none. */
  function longName(date) {
    var name = "";
    longNameFormat.formatToParts(date).forEach(function (p) { if (p.type === "timeZoneName") { name = p.value; } });
    return /^(GMT|UTC)/.test(name) ? "" : name;
  }

  function abbreviation(date) {
    var name = "";
    nameFormat.formatToParts(date).forEach(function (p) { if (p.type === "timeZoneName") { name = p.value; } });
    return /^[A-Z]{2,5}$/.test(name) ? name : "";
  }

  /* Names of UTC itself: for them the abbreviation "UTC" says the zone already. */
  var UTC_NAMES = /^(Etc\/)?(UTC|UCT|GMT|GMT[+-]0|Greenwich|Universal|Zulu)$/;

  /* "Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)": bot.timefmt's layout,
   * each name once: a viewer in UTC reads "..., 11:59 UTC", not "11:59 UTC (UTC, UTC)". */
  function viewerText(date, bare, dayEnd) {
    var p = parts(date);
    var clock = two(Number(p.hour) % 24) + ":" + p.minute;
    var named = date;  /* the moment whose zone names and offset are said */
    var day = date;  /* a moment on the day said */
    var earlier = new Date(date.getTime() - 60000);
    var before = parts(earlier);
    if (dayEnd && before.day !== p.day) {
      /* Written "24:00" and a day begins then on the viewer's clock: the end of the day before,
       * as bot.timefmt.format_instant says it (its 00:00 reads a day late), with the offset the
       * day ends in (where the clocks jump at that midnight, Santiago's, the one before). */
      clock = chinese ? "24:00" : "end of day, 24:00";  /* as bot.core.ask.zh: "...星期五 24:00" */
      if (p.hour !== "00" || p.minute !== "00") { named = earlier; }
      day = earlier;
      p.weekday = before.weekday; p.day = before.day; p.month = before.month; p.year = before.year;
    }
    var abbr = abbreviation(named);
    var offset = offsetText(named, parts(named));
    var said = abbr ? [abbr] : [];
    var caption = [];
    var zone = UTC_NAMES.test(viewerZone) && offset === "UTC" ? "UTC" : viewerZone;
    if (chinese) { zone = longName(named) || zone; }
    [zone, offset].forEach(function (name) {
      if (name && said.indexOf(name) < 0) { said.push(name); caption.push(name); }
    });
    clock += abbr ? " " + abbr : "";
    var tail = caption.length && !bare ? WORDS.paren.replace("%s", caption.join(WORDS.comma)) : "";
    if (chinese) {  /* "2017年9月11日星期一 14:59 CST（中国标准时间，UTC+08:00）", as bot.core.ask.zh */
      return p.year + "年" + (monthIndex(p.month) + 1) + "月" + p.day + "日" +
        localFormat.format(day) + " " + clock + tail;
    }
    return p.weekday + " " + p.day + " " + p.month + " " + p.year + ", " + clock + tail;
  }

  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }

  function tick() {
    var now = Date.now();
    each(".relation", function (el) {
      var r = relation(el, now);
      if (el.textContent !== r.text) { el.textContent = r.text; }
      var hero = el.closest(".next");
      if (hero && r.passed) { hero.classList.add("over"); }
      var item = el.closest(".date");
      if (item && r.passed && !item.classList.contains("passed")) {
        item.classList.add("passed");
        var badge = item.querySelector(".badge.state");
        if (badge) { badge.textContent = WORDS.passed; } else {
          badge = document.createElement("span");
          badge.className = "badge state";
          badge.textContent = WORDS.passed;
          item.querySelector(".title").appendChild(badge);
        }
      }
    });
  }

  function start() {
    each(".viewer-time", function (el) {
      var start = new Date(el.getAttribute("datetime"));
      var end = el.getAttribute("data-end");
      /* A range ("22:00 CST to 01:30 CST" in Shanghai) in the viewer's zone: both ends. */
      /* The zone is named once, after the end. A "24:00" end (data-day-end, data-end-day-end)
       * that begins a day on the viewer's clock is said as the end of the day before. */
      var dayEnd = el.hasAttribute("data-day-end");
      el.textContent = end ? WORDS.to.replace("%(first)s", viewerText(start, true, dayEnd))
        .replace("%(last)s", viewerText(new Date(end), false, el.hasAttribute("data-end-day-end")))
        : viewerText(start, false, dayEnd);
      /* A viewer whose clock reads as the date's zone's (the same offset) reads it once. */
      var mine = [start].concat(end ? [new Date(end)] : []).map(function (d) {
        return offsetText(d, parts(d));
      }).join(" ");
      if (mine === el.getAttribute("data-offsets")) { el.closest(".viewer").setAttribute("data-same", "true"); }
    });
    each(".viewer-zone", function (el) { el.textContent = viewerZone || WORDS.your_zone; });
    each(".js-only", function (el) { el.hidden = false; });
    each(".viewer[data-same]", function (el) {
      el.hidden = true;
      var label = el.nextElementSibling && el.nextElementSibling.querySelector(".js-only");
      if (label) { label.hidden = true; }
    });
    document.documentElement.classList.add("js");
    tick();
    window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
