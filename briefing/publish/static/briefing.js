/* The show's pages (briefing): chapters and sentences seek the player, the sentence being spoken
   is highlighted, the feed address can be copied. Without JavaScript, the links open the MP3 at
   the right time (a media fragment) and nothing else is lost but the highlighting. */
(function () {
  "use strict";

  function starts(nodes) {
    return nodes.map(function (node) { return parseFloat(node.getAttribute("data-start")); });
  }

  /* The index of the last start at or before `t` (-1 before the first). */
  function lastStarted(list, t) {
    var low = 0, high = list.length - 1, found = -1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (list[mid] <= t) { found = mid; low = mid + 1; } else { high = mid - 1; }
    }
    return found;
  }

  function setupCopy() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector("[role=status]");
      if (!field) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var done = function () { if (status) { status.textContent = "Adresse copiée."; } };
        field.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            if (document.execCommand("copy")) { done(); }
          });
        } else if (document.execCommand("copy")) {
          done();
        }
      });
    });
  }

  function setupPlayer() {
    var audio = document.getElementById("lecteur");
    if (!audio) { return; }
    var phrases = Array.prototype.slice.call(document.querySelectorAll(".phrase[data-start]"));
    var chapters = Array.prototype.slice.call(document.querySelectorAll(".chapitres a[data-start]"));
    var phraseStarts = starts(phrases), chapterStarts = starts(chapters);
    var follow = document.getElementById("suivre");
    var current = -1, currentChapter = -1, frame = 0;
    if (follow) { follow.closest(".suivre").hidden = false; }

    function show(index) {
      if (index === current) { return; }
      if (current >= 0) {
        phrases[current].classList.remove("en-cours");
        phrases[current].removeAttribute("aria-current");
      }
      current = index;
      if (index < 0) { return; }
      var phrase = phrases[index];
      phrase.classList.add("en-cours");
      phrase.setAttribute("aria-current", "true");
      if (follow && follow.checked && !audio.paused) {
        var box = phrase.getBoundingClientRect();
        if (box.top < 0 || box.bottom > window.innerHeight) {
          phrase.scrollIntoView({ block: "center" });
        }
      }
    }

    function showChapter(index) {
      if (index === currentChapter) { return; }
      if (currentChapter >= 0) { chapters[currentChapter].removeAttribute("aria-current"); }
      currentChapter = index;
      if (index >= 0) { chapters[index].setAttribute("aria-current", "true"); }
    }

    /* A millisecond of slack: a seek to a start may read back a hair before it. */
    function update() {
      var t = audio.currentTime + 0.001;
      show(lastStarted(phraseStarts, t));
      showChapter(lastStarted(chapterStarts, t));
    }

    function tick() {
      update();
      frame = audio.paused ? 0 : window.requestAnimationFrame(tick);
    }

    audio.addEventListener("timeupdate", update);
    audio.addEventListener("seeked", update);
    audio.addEventListener("play", function () { if (!frame) { frame = window.requestAnimationFrame(tick); } });

    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-start]") : null;
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
      event.preventDefault();
      audio.currentTime = parseFloat(link.getAttribute("data-start"));
      update();
      var playing = audio.play();
      if (playing && playing.catch) { playing.catch(function () { /* blocked: the time is set */ }); }
    });
  }

  function start() {
    setupCopy();
    setupPlayer();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
