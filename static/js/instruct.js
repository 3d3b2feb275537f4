// 批示 quick phrases: picking one writes it into the instruction text, with 某某 / 某科室 filled
// from the routing chosen so far. Only a convenience: without JavaScript the server does the same
// when the text is left empty (documents.forms.InstructForm). No inline script (CSP).
(function () {
  "use strict";
  var form = document.getElementById("instruct-form");
  if (!form) return;
  var text = form.querySelector("textarea[name=text]");
  var lastFilled = "";

  function name(label) {
    return label.textContent.trim().split("（")[0].trim();
  }
  function people() {
    var forward = form.querySelector("select[name=forward_to]");
    var routing = form.querySelector("input[name=routing]:checked");
    if (routing && routing.value === "forward" && forward && forward.value) {
      return [forward.options[forward.selectedIndex].text.split("（")[0]];
    }
    return Array.prototype.map.call(
      form.querySelectorAll("input[name=readers]:checked"),
      function (box) { return name(box.closest("label")); }
    );
  }
  function handlers() {
    var lead = form.querySelector("select[name=lead]");
    if (!lead || !lead.value) return null;
    var assist = Array.prototype.map.call(
      form.querySelectorAll("input[name=assist]:checked"),
      function (box) { return name(box.closest("label")); }
    );
    var leadName = lead.options[lead.selectedIndex].text;
    assist = assist.filter(function (a) { return a !== leadName; });
    return assist.length ? leadName + "牵头，" + assist.join("、") + "配合" : leadName;
  }
  function phraseText(key, fallback) {
    if (key === "read_by") {
      var names = people();
      return names.length ? "请" + names.join("、") + "同志阅示。" : fallback;
    }
    if (key === "study") {
      var h = handlers();
      return h ? "请" + h + "研办。" : fallback;
    }
    return fallback;
  }
  function fill() {
    var chosen = form.querySelector("input[name=phrase]:checked");
    if (!chosen || (text.value.trim() && text.value !== lastFilled)) return;
    var fallback = name(chosen.closest("label")) + "。";
    lastFilled = phraseText(chosen.value, fallback);
    text.value = lastFilled;
  }
  form.addEventListener("change", function (event) {
    if (event.target !== text) fill();
  });
})();
