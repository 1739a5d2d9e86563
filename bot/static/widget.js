/* duebot's embeddable widget: the next deadline of one event, in the reader's own zone, with a
 * live countdown. Embed with one line on any page:
 *   <script src="https://DUEBOT-HOST/e/EVENT/widget.js" async></script>
 * (or <iframe src="https://DUEBOT-HOST/e/EVENT/widget"></iframe>). It reads /e/EVENT.json
 * from the host it was loaded from (CORS allows any origin), writes only text (never HTML from
 * the schedule), and loads nothing from anywhere else. Words match bot/core/timefmt.py. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var match = /^(.*)\/e\/([^\/]+)\/widget\.js(?:[?#].*)?$/.exec(script.src);
  if (!match) { return; }
  var base = match[1];
  var eventId = decodeURIComponent(match[2]);
  var zone = (Intl.DateTimeFormat().resolvedOptions().timeZone) || "";

  var box = document.createElement("div");
  box.className = "duebot-widget";
  box.setAttribute("data-event", eventId);
  box.setAttribute("role", "status");
  box.style.cssText = "font:15px/1.4 system-ui,sans-serif;border:1px solid #ccd;border-radius:6px;" +
    "padding:10px 14px;max-width:28em;background:#fff;color:#123";
  script.parentNode.insertBefore(box, script.nextSibling);

  function line(cls, text, css) {
    var el = document.createElement("div");
    el.className = cls;
    el.textContent = text;
    if (css) { el.style.cssText = css; }
    box.appendChild(el);
    return el;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

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

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function fields(date, tz, extra) {
    var options = { weekday: "long", day: "numeric", month: "long", year: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: tz || undefined };
    if (extra) { options.timeZoneName = extra; }
    var out = {};
    new Intl.DateTimeFormat("en-US", options).formatToParts(date).forEach(function (p) {
      out[p.type] = p.value;
    });
    return out;
  }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  /* "Monday 11 September 2017, 14:59 CST (Asia/Shanghai, UTC+08:00)": bot.core.timefmt's
   * layout; the abbreviation only where the browser knows a real one. ``dayEnd``: the time was
   * written "24:00" (the JSON's day_ends); where a day begins then on this clock it is said as
   * the end of the day before, "Friday 1 May 2026, end of day, 24:00", as the dates page and
   * bot.core.timefmt.format_instant say it (its 00:00 reads a day late), with the offset the
   * day ends in (where the clocks jump at that midnight, Santiago's, the one before). */
  function inZone(date, tz, dayEnd) {
    var p;
    try { p = fields(date, tz, "short"); } catch (e) { tz = "UTC"; p = fields(date, tz, "short"); }
    var clock = two(Number(p.hour) % 24) + ":" + p.minute;
    var day = p;
    if (dayEnd) {
      var earlier = new Date(date.getTime() - 60000);
      var before = fields(earlier, tz, "short");
      if (before.day !== p.day) {
        clock = "end of day, 24:00";
        day = before;
        if (p.hour !== "00" || p.minute !== "00") { date = earlier; p = before; }
      }
    }
    var wall = Date.UTC(Number(p.year), MONTHS.indexOf(p.month), Number(p.day),
      Number(p.hour) % 24, Number(p.minute));
    var minutes = Math.round((wall - Math.floor(date.getTime() / 60000) * 60000) / 60000);
    var offset = "UTC";
    if (minutes !== 0) {
      offset += (minutes > 0 ? "+" : "-") + two(Math.floor(Math.abs(minutes) / 60)) + ":" +
        two(Math.abs(minutes) % 60);
    }
    var name = /^[A-Z]{2,5}$/.test(p.timeZoneName || "") ? p.timeZoneName : "";
    /* Each name once: a reader in UTC reads "11:59 UTC", not "11:59 UTC (UTC, UTC)". */
    var said = name ? [name] : [];
    var caption = [];
    [UTC_NAMES.test(tz) && offset === "UTC" ? "UTC" : tz, offset].forEach(function (n) {
      if (n && said.indexOf(n) < 0) { said.push(n); caption.push(n); }
    });
    return day.weekday + " " + day.day + " " + day.month + " " + day.year + ", " +
      clock + (name ? " " + name : "") +
      (caption.length ? " (" + caption.join(", ") + ")" : "");
  }

  var UTC_NAMES = /^(Etc\/)?(UTC|UCT|GMT|GMT[+-]0|Greenwich|Universal|Zulu)$/;

  function isIana(name) { return /^[A-Za-z_]+\/[A-Za-z_\/+-]+$|^UTC$/.test(name); }

  function nextDeadline(dates, now) {
    var best = null;
    dates.forEach(function (d) {
      if (d.cancelled || d.kind !== "deadline" || !d.starts) { return; }
      var at = Date.parse(d.starts);
      if (at > now && (best === null || at < Date.parse(best.starts))) { best = d; }
    });
    return best;
  }

  function show(doc) {
    box.textContent = "";
    line("duebot-event", doc.name, "font-weight:600");
    var now = Date.now();
    var next = nextDeadline(doc.dates || [], now);
    if (!next) {
      line("duebot-none", "Every deadline has passed.");
      return;
    }
    var at = new Date(next.starts);
    /* Written "24:00" (schema 1.1's day_ends; absent from older servers' JSON). */
    var dayEnd = !next.all_day && (next.day_ends || []).indexOf("at") >= 0;
    line("duebot-title", next.title + (next.extended ? " (extended)" : ""));
    line("duebot-viewer-time", inZone(at, zone, dayEnd));
    if (next.zone && next.zone !== zone) {
      line("duebot-event-time", "that is " + (isIana(next.zone) ? inZone(at, next.zone, dayEnd) :
        next.local), "color:#556;font-size:90%");
    }
    var left = line("duebot-countdown", "", "font-weight:600;margin-top:4px");
    function tick() {
      var ms = at.getTime() - Date.now();
      left.textContent = ms > 0 ? countdown(ms) + " left" : "passed";
      if (ms <= 0) { window.clearInterval(timer); show(doc); }
    }
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  box.textContent = "Loading the next deadline\u2026";
  fetch(base + "/e/" + encodeURIComponent(eventId) + ".json", { credentials: "omit" })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(show)
    .catch(function () {
      box.textContent = "The dates could not be loaded; see " + base + "/e/" + eventId;
    });
}());
