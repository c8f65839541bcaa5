/*
 * Interactive softmax figures for the softmax book: no kernel, no server, no dependencies.
 *
 * The Python side (softmaxlab.interactive) writes each figure as plain HTML: a <figure> with
 * class "smx-figure", its parameters in data-smx-* attributes, disabled sliders, and bars drawn
 * for the initial scores. This script, loaded on every page of the book from _static/, finds those
 * figures, enables the sliders and redraws the bars whenever a slider moves. Without it (say, in
 * a notebook front end that does not load the book's scripts) the figure stays a correct static
 * picture of its initial state.
 *
 * Figure kinds:
 *   data-smx-kind="sliders"      one slider per score z_j; bars show softmax(z)_j and their sum.
 *   data-smx-kind="temperature"  fixed scores, one slider stepping through data-smx-temperatures;
 *                                bars show softmax(z / T) and its entropy.
 */
(function () {
  "use strict";

  /* softmax(z / T), computed stably: shift by the maximum so every exponent is <= 0. */
  function softmax(z, temperature) {
    var t = temperature === undefined ? 1 : temperature;
    var m = -Infinity;
    for (var i = 0; i < z.length; i++) {
      if (z[i] > m) m = z[i];
    }
    var e = new Array(z.length);
    var s = 0;
    for (var j = 0; j < z.length; j++) {
      e[j] = Math.exp((z[j] - m) / t);
      s += e[j];
    }
    for (var k = 0; k < z.length; k++) e[k] /= s;
    return e;
  }

  /* Shannon entropy in nats; 0 log 0 = 0. */
  function entropy(p) {
    var h = 0;
    for (var i = 0; i < p.length; i++) {
      if (p[i] > 0) h -= p[i] * Math.log(p[i]);
    }
    return h;
  }

  function sum(values) {
    var s = 0;
    for (var i = 0; i < values.length; i++) s += values[i];
    return s;
  }

  function fixed(x, digits) {
    var text = x.toFixed(digits);
    return /^-0\.?0*$/.test(text) ? text.slice(1) : text; /* no "-0.0" */
  }

  /* Redraw the bar rows of a figure from a probability vector. */
  function drawBars(fig, p, digits) {
    var rows = fig.querySelectorAll(".smx-row");
    var largest = Math.max.apply(null, p);
    for (var i = 0; i < rows.length; i++) {
      var bar = rows[i].querySelector(".smx-bar");
      bar.style.width = (100 * p[i]).toFixed(2) + "%";
      bar.setAttribute("data-p", String(p[i]));
      bar.classList.toggle("smx-bar-max", p[i] === largest);
      bar.style.background = p[i] === largest ? "#D55E00" : "#0072B2"; /* where no stylesheet */
      rows[i].querySelector(".smx-prob").textContent = fixed(p[i], digits);
    }
    var total = fig.querySelector(".smx-sum");
    if (total) total.textContent = fixed(sum(p), digits);
  }

  function initSliders(fig) {
    var digits = parseInt(fig.getAttribute("data-smx-digits") || "3", 10);
    var inputs = fig.querySelectorAll("input.smx-score-input");
    var decimals = parseInt(fig.getAttribute("data-smx-decimals") || "1", 10);
    function update() {
      var z = [];
      for (var i = 0; i < inputs.length; i++) {
        z.push(parseFloat(inputs[i].value));
        var shown = fixed(z[i], decimals);
        inputs[i].closest(".smx-row").querySelector(".smx-score").textContent = shown;
        inputs[i].setAttribute("aria-valuetext", shown);
      }
      drawBars(fig, softmax(z, 1), digits);
    }
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].disabled = false;
      inputs[i].addEventListener("input", update);
    }
    update();
  }

  function initTemperature(fig) {
    var digits = parseInt(fig.getAttribute("data-smx-digits") || "3", 10);
    var scores = JSON.parse(fig.getAttribute("data-smx-scores"));
    var temperatures = JSON.parse(fig.getAttribute("data-smx-temperatures"));
    var input = fig.querySelector("input.smx-temperature-input");
    var shownT = fig.querySelector(".smx-temperature-value");
    var shownH = fig.querySelector(".smx-entropy");
    function update() {
      var t = temperatures[parseInt(input.value, 10)];
      var label = t.toPrecision(3);
      if (shownT) shownT.textContent = label;
      input.setAttribute("aria-valuetext", "T = " + label);
      var p = softmax(scores, t);
      drawBars(fig, p, digits);
      if (shownH) shownH.textContent = fixed(entropy(p), 3);
    }
    input.disabled = false;
    input.addEventListener("input", update);
    update();
  }

  var KINDS = { sliders: initSliders, temperature: initTemperature };

  function initAll(root) {
    var figs = (root || document).querySelectorAll(".smx-figure[data-smx-kind]");
    for (var i = 0; i < figs.length; i++) {
      var fig = figs[i];
      var init = KINDS[fig.getAttribute("data-smx-kind")];
      if (!init || fig.getAttribute("data-smx-ready") === "true") continue;
      init(fig);
      fig.setAttribute("data-smx-ready", "true");
    }
  }

  window.SoftmaxFigures = { softmax: softmax, entropy: entropy, initAll: initAll };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    initAll(document);
  }
})();
