/* duebot's dates page: each time in the viewer's own zone, and countdowns that keep counting.
 * Without this script the page still reads well: the server writes every time in the date's own
 * zone and each countdown as of the request. Words and rounding match bot/timefmt.py. */
(function () {
  "use strict";

  var viewerZone = (Intl.DateTimeFormat().resolvedOptions().timeZone) || "";

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  /* bot.timefmt.countdown: two units at most. */
  function countdown(ms) {
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(seconds / 86400);
    var rest = seconds - days * 86400;
    var hours = Math.floor(rest / 3600);
    var minutes = Math.floor((rest - hours * 3600) / 60);
    if (days) { return plural(days, "day") + (hours ? " " + plural(hours, "hour") : ""); }
    if (hours) { return plural(hours, "hour") + (minutes ? " " + plural(minutes, "minute") : ""); }
    if (minutes) { return plural(minutes, "minute"); }
    return "less than a minute";
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
    if (el.getAttribute("data-cancelled") === "true") { return { text: "cancelled", passed: true }; }
    var start = Date.parse(el.getAttribute("data-start"));
    var end = Date.parse(el.getAttribute("data-end"));
    var zone = el.getAttribute("data-zone") || "";
    if (el.getAttribute("data-all-day") !== "true") {
      var delta = start - now;
      var said = countdown(calendarDelta(start, now, zone));
      if (delta > 0) { return { text: said + " from now", passed: false }; }
      return { text: "passed " + said + " ago", passed: true };
    }
    if (end <= now) {
      return { text: "passed " + countdown(calendarDelta(now, end, zone)) + " ago", passed: true };
    }
    if (start <= now) {
      return { text: el.getAttribute("data-range") === "true" ? "under way now" : "today", passed: false };
    }
    return { text: countdown(calendarDelta(start, now, zone)) + " from now", passed: false };
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

  function abbreviation(date) {
    var name = "";
    nameFormat.formatToParts(date).forEach(function (p) { if (p.type === "timeZoneName") { name = p.value; } });
    return /^[A-Z]{2,5}$/.test(name) ? name : "";
  }

  /* Names of UTC itself: for them the abbreviation "UTC" says the zone already. */
  var UTC_NAMES = /^(Etc\/)?(UTC|UCT|GMT|GMT[+-]0|Greenwich|Universal|Zulu)$/;

  /* "Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)": bot.timefmt's layout,
   * each name once: a viewer in UTC reads "..., 11:59 UTC", not "11:59 UTC (UTC, UTC)". */
  function viewerText(date, dayEnd) {
    var p = parts(date);
    var clock = two(Number(p.hour) % 24) + ":" + p.minute;
    var named = date;
    var earlier = new Date(date.getTime() - 60000);
    var before = parts(earlier);
    if (dayEnd && before.day !== p.day) {
      /* Written "24:00" and a day begins then on the viewer's clock: the end of the day before,
       * as bot.timefmt.format_instant says it (its 00:00 reads a day late), with the offset the
       * day ends in (where the clocks jump at that midnight, Santiago's, the one before). */
      clock = "end of day, 24:00";
      if (p.hour !== "00" || p.minute !== "00") { named = earlier; }
      p.weekday = before.weekday; p.day = before.day; p.month = before.month; p.year = before.year;
    }
    var abbr = abbreviation(named);
    var offset = offsetText(named, parts(named));
    var said = abbr ? [abbr] : [];
    var caption = [];
    var zone = UTC_NAMES.test(viewerZone) && offset === "UTC" ? "UTC" : viewerZone;
    [zone, offset].forEach(function (name) {
      if (name && said.indexOf(name) < 0) { said.push(name); caption.push(name); }
    });
    return p.weekday + " " + p.day + " " + p.month + " " + p.year + ", " + clock +
      (abbr ? " " + abbr : "") + (caption.length ? " (" + caption.join(", ") + ")" : "");
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
        if (badge) { badge.textContent = "passed"; } else {
          badge = document.createElement("span");
          badge.className = "badge state";
          badge.textContent = "passed";
          item.querySelector(".title").appendChild(badge);
        }
      }
    });
  }

  function start() {
    each(".viewer-time", function (el) {
      el.textContent = viewerText(new Date(el.getAttribute("datetime")),
                                 el.hasAttribute("data-day-end"));
    });
    each(".viewer-zone", function (el) { el.textContent = viewerZone || "your browser's zone"; });
    each(".js-only", function (el) { el.hidden = false; });
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
