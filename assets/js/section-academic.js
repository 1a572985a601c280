/*
 * Turns the navigation variables a handbook page sets before loading this script,
 *
 *   window.previousSection = "/content/handbooks/<slug>/section4/";
 *   window.nextSection = "/content/handbooks/<slug>/section6/";
 *
 * into "previous" / "next" links at the end of the page. The values are site paths; the site's
 * baseurl is taken from this script's own URL (everything before /assets/js/), so the links work
 * when the site is served under a sub-path.
 */
(function () {
  "use strict";

  function baseUrl() {
    var script = document.currentScript;
    if (!script || !script.src) {
      return "";
    }
    var path = new URL(script.src, window.location.href).pathname;
    var at = path.indexOf("/assets/js/");
    return at > 0 ? path.slice(0, at) : "";
  }

  function link(href, label, className) {
    var a = document.createElement("a");
    a.href = href;
    a.className = className;
    a.textContent = label;
    return a;
  }

  function build() {
    var prev = window.previousSection;
    var next = window.nextSection;
    if (!prev && !next) {
      return;
    }
    var base = baseUrl();
    var nav = document.createElement("nav");
    nav.className = "section-nav";
    nav.setAttribute("aria-label", "Handbook sections");
    if (typeof prev === "string" && prev) {
      nav.appendChild(link(base + prev, "\u2190 Previous", "section-nav-prev"));
    }
    if (typeof next === "string" && next) {
      nav.appendChild(link(base + next, "Next \u2192", "section-nav-next"));
    }
    var host = document.querySelector("main") || document.querySelector("article") || document.body;
    host.appendChild(nav);
  }

  var base = null;
  if (document.readyState === "loading") {
    base = baseUrl();
    document.addEventListener("DOMContentLoaded", function () {
      baseUrl = function () { return base; };
      build();
    });
  } else {
    build();
  }
})();
