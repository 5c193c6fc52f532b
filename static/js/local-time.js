// Times in the visitor's own zone — progressive enhancement only: without this file every
// session already reads in its own zone with its UTC offset (templates/events/_when.html).
//
// 1. Each session time (.when, with two <time datetime> in the session's zone) gets the
//    visitor's time after it when the visitor's UTC offset differs:
//    "10:00–11:30 CET (UTC+1) · 11:00–12:30 your time (EET)". The words come from the element's
//    data- attributes, rendered in the page's language, so no catalogue is needed here.
// 2. The registration form's hidden time_zone field gets the browser's IANA zone, so emails can
//    state the registrant's own time too.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }

  document.querySelectorAll('input[name="time_zone"]').forEach(function (input) {
    if (!input.value) {
      input.value = zone;
    }
  });

  // The wall-clock parts of `date` in `timeZone`: {year, month, day, hour, minute} as numbers.
  var partsFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit"
  });
  function wallClock(date) {
    var parts = {};
    partsFormat.formatToParts(date).forEach(function (p) { parts[p.type] = Number(p.value); });
    parts.hour = parts.hour % 24;
    return parts;
  }
  function offsetMinutes(date) {
    var p = wallClock(date);
    var asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    return Math.round((asUtc - Math.floor(date.getTime() / 60000) * 60000) / 60000);
  }
  // "+01:00" / "Z" at the end of an ISO 8601 datetime -> minutes east of UTC.
  function isoOffset(text) {
    var match = /([+-])(\d\d):?(\d\d)$/.exec(text);
    if (!match) {
      return /Z$/.test(text) ? 0 : null;
    }
    var minutes = Number(match[2]) * 60 + Number(match[3]);
    return match[1] === "-" ? -minutes : minutes;
  }
  // "11:00" in the page's language, hours and minutes joined as the page's TIME_FORMAT joins them
  // ("11.00" on Slovenian pages, where Intl would write "11:00").
  var clockFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    timeZone: zone, hourCycle: "h23", hour: "2-digit", minute: "2-digit"
  });
  function clock(date, separator) {
    var hour = "", minute = "";
    clockFormat.formatToParts(date).forEach(function (p) {
      if (p.type === "hour") { hour = p.value; } else if (p.type === "minute") { minute = p.value; }
    });
    return hour + (separator || ":") + minute;
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function utcLabel(minutes) {
    var sign = minutes < 0 ? "-" : "+";
    var abs = Math.abs(minutes);
    var rest = abs % 60;
    return "UTC" + sign + Math.floor(abs / 60) + (rest ? ":" + pad(rest) : "");
  }
  // The zone's abbreviation where it has a common one ("EET"), else its UTC offset.
  function zoneLabel(date, minutes) {
    var name = "";
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "short" }).formatToParts(date)
        .forEach(function (p) { if (p.type === "timeZoneName") { name = p.value; } });
    } catch (e) { /* no names: the offset says it */ }
    return /^[A-Z]{2,5}$/.test(name) && (name !== "GMT" || minutes === 0) ? name : utcLabel(minutes);
  }

  document.querySelectorAll(".when[data-visitor-time]").forEach(function (when) {
    var times = when.querySelectorAll("time[datetime]");
    if (times.length < 2 || when.nextElementSibling && when.nextElementSibling.classList.contains("visitor-time")) {
      return;
    }
    var startText = times[0].getAttribute("datetime");
    var start = new Date(startText);
    var end = new Date(times[1].getAttribute("datetime"));
    var sessionOffset = isoOffset(startText);
    if (isNaN(start) || isNaN(end) || sessionOffset === null) {
      return;
    }
    var visitorOffset = offsetMinutes(start);
    if (visitorOffset === sessionOffset) {
      return; // the same wall-clock time: nothing to add
    }
    var from = wallClock(start);
    var time = clock(start, when.dataset.timeSeparator) + "–" + clock(end, when.dataset.timeSeparator);
    // The visitor's day against the session's own (the date in the datetime attribute).
    var sessionDay = Date.UTC.apply(null, startText.slice(0, 10).split("-").map(function (v, i) {
      return i === 1 ? Number(v) - 1 : Number(v);
    }));
    var visitorDay = Date.UTC(from.year, from.month - 1, from.day);
    var text = when.dataset.visitorTime.replace("{time}", time).replace("{zone}", zoneLabel(start, visitorOffset));
    if (visitorDay > sessionDay && when.dataset.nextDay) {
      text += ", " + when.dataset.nextDay;
    } else if (visitorDay < sessionDay && when.dataset.previousDay) {
      text += ", " + when.dataset.previousDay;
    }
    var line = document.createElement("span");
    line.className = "visitor-time";
    line.textContent = " · " + text;
    when.insertAdjacentElement("afterend", line);
  });
})();
