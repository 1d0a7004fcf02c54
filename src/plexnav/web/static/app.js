/* plexnav pages: progressive enhancement only.  Every form works without this file;
   with it you get the step-by-step questionnaire, clickable body maps, keyboard moves
   in the exam grids and confirmation before deleting. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  /* ---------------------------------------------------------------- wizard */
  /* One step at a time; each step is a history entry (#step-N), so Back and reload keep
     the place.  After a server-side error the form opens at the step that has it. */
  function setupWizard(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
    if (steps.length < 2) return null;
    var progress = form.querySelector("[data-progress]");
    var nav = form.querySelector(".wizard-nav");
    var back = nav.querySelector("[data-back]");
    var next = nav.querySelector("[data-next]");
    var submit = form.querySelector("[data-submit]");
    var current = 0;
    var errorStep = steps.findIndex(function (s) { return s.querySelector("[aria-invalid=true], .field-error"); });
    var fromHash = /^#step-(\d+)$/.exec(window.location.hash);
    if (document.querySelector(".errors")) current = errorStep >= 0 ? errorStep : steps.length - 1;
    else if (fromHash) current = parseInt(fromHash[1], 10) - 1;
    nav.hidden = false;

    function show(index, focus, push) {
      current = Math.max(0, Math.min(index, steps.length - 1));
      steps.forEach(function (step, i) { step.hidden = i !== current; });
      back.hidden = current === 0;
      next.hidden = current === steps.length - 1;
      submit.hidden = current !== steps.length - 1;
      var title = steps[current].getAttribute("data-title") || "";
      progress.textContent = "Step " + (current + 1) + " of " + steps.length + ": " + title;
      if (push) window.history.pushState({ step: current }, "", "#step-" + (current + 1));
      if (focus) focusStep();
    }
    function focusStep() {
      var heading = steps[current].querySelector("legend, h2");
      (heading || steps[current]).setAttribute("tabindex", "-1");
      (heading || steps[current]).focus();
    }
    back.addEventListener("click", function () { show(current - 1, true, true); });
    next.addEventListener("click", function () { show(current + 1, true, true); });
    window.addEventListener("popstate", function (event) {
      var step = event.state && typeof event.state.step === "number" ? event.state.step : 0;
      show(step, true, false);
    });
    window.history.replaceState({ step: current }, "", "#step-" + (current + 1));
    show(current, false, false);
    return { focus: focusStep };
  }

  /* ---------------------------------------------------------------- drafts */
  /* Answers survive a reload: kept in this tab's sessionStorage until the form is sent. */
  function setupDraft(form) {
    var key = "plexnav-draft:" + form.getAttribute("data-draft");
    var store;
    try { store = window.sessionStorage; } catch (e) { return; }
    function fields() {
      return Array.prototype.slice.call(form.elements).filter(function (el) {
        return el.name && el.name !== "csrf_token" && el.type !== "hidden" && el.type !== "button" && el.type !== "submit";
      });
    }
    function save() {
      var data = {};
      fields().forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.checked) (data[el.name] = data[el.name] || []).push(el.value);
        } else if (el.value) {
          data[el.name] = [el.value];
        }
      });
      store.setItem(key, JSON.stringify(data));
    }
    var saved = store.getItem(key);
    if (saved && !document.querySelector(".errors")) {
      var data = JSON.parse(saved);
      fields().forEach(function (el) {
        var values = data[el.name] || [];
        if (el.type === "checkbox" || el.type === "radio") el.checked = values.indexOf(el.value) >= 0;
        else el.value = values.length ? values[0] : (el.tagName === "SELECT" ? el.value : "");
      });
    }
    form.addEventListener("change", save);
    form.addEventListener("input", save);
    form.addEventListener("submit", function () { store.removeItem(key); });
  }

  /* ---------------------------------------------------------------- red flags */
  /* After every answer, ask the server's triage (the engine decides what is a red flag);
     an emergency stops the questionnaire with the emergency screen at once.  "Continue"
     keeps a compact copy at the top, so the call link stays in view. */
  function setupRedFlags(form, wizard) {
    var url = form.getAttribute("data-triage-url");
    var screen = form.querySelector("#emergency-screen");
    if (!url || !screen || !window.fetch) return;
    var heading = screen.querySelector("#emergency-heading");
    var shown = "";
    var timer = null;
    var ackKey = "plexnav-emergency-ack:" + window.location.pathname;

    function fill(e) {
      var list = screen.querySelector("[data-emergency-reasons]");
      list.textContent = "";
      e.reasons.forEach(function (reason) {
        var li = document.createElement("li");
        li.textContent = reason;
        list.appendChild(li);
      });
      screen.querySelector("[data-tell-them]").textContent = e.tell_them;
    }
    function stop(e, rules) {
      fill(e);
      screen.hidden = false;
      var acknowledged = false;
      try { acknowledged = window.sessionStorage.getItem(ackKey) === rules; } catch (err) { /* private mode */ }
      if (acknowledged) { screen.classList.add("compact"); return; }
      screen.classList.remove("compact");
      form.classList.add("stopped");
      heading.focus();
      screen.scrollIntoView({ block: "start" });
    }
    function ask() {
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                   headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) return;
          if (!answer.emergency) {
            shown = "";
            screen.hidden = true;
            form.classList.remove("stopped");
            return;
          }
          var rules = answer.emergency.rules.join(" ");
          if (rules === shown) return;
          shown = rules;
          stop(answer.emergency, rules);
        })
        .catch(function () { /* offline: the result page still leads with the triage */ });
    }
    screen.querySelector("[data-emergency-continue]").addEventListener("click", function () {
      try { window.sessionStorage.setItem(ackKey, shown); } catch (err) { /* private mode */ }
      screen.classList.add("compact");
      form.classList.remove("stopped");
      if (wizard) wizard.focus();
    });
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "title") return;
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 80);
    });
    ask();
  }

  /* ---------------------------------------------------------------- body maps */
  var CYCLE = ["", "reduced", "absent", "increased", "normal"];
  var STATE_WORDS = { "": "not tested", reduced: "reduced", absent: "absent", increased: "increased", normal: "normal" };

  function shapesFor(svg, key) {
    return svg.querySelectorAll('.region[data-key="' + key + '"]');
  }

  function setupToggleMap(svg) {
    var form = svg.closest("form");
    var name = svg.getAttribute("data-input");
    function input(key) {
      return form.querySelector('input[name="' + name + '"][value="' + key + '"]');
    }
    function sync(key) {
      var box = input(key);
      shapesFor(svg, key).forEach(function (shape) {
        shape.setAttribute("aria-checked", box && box.checked ? "true" : "false");
      });
    }
    function toggle(shape) {
      var key = shape.getAttribute("data-key");
      var box = input(key);
      if (!box) return;
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
      sync(key);
    }
    svg.querySelectorAll(".region").forEach(function (shape) {
      shape.addEventListener("click", function () { toggle(shape); });
      sync(shape.getAttribute("data-key"));
    });
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      box.addEventListener("change", function () { sync(box.value); });
    });
    /* shown again (Back, a restored draft, the browser's own form restore): redraw from the boxes */
    function resync() {
      svg.querySelectorAll(".region").forEach(function (shape) { sync(shape.getAttribute("data-key")); });
    }
    window.addEventListener("pageshow", resync);
    window.setTimeout(resync, 0);
    rovingFocus(svg, toggle);
  }

  function setupCycleMap(svg) {
    var form = svg.closest("form");
    function select(key) {
      return form.querySelector('select[name="sens.' + key.replace(":", ".") + '"]');
    }
    function sync(key) {
      var sel = select(key);
      var state = sel ? sel.value : "";
      shapesFor(svg, key).forEach(function (shape) {
        shape.setAttribute("data-state", state);
        shape.setAttribute("aria-label", shape.getAttribute("data-name") + ": " + STATE_WORDS[state]);
      });
    }
    function cycle(shape) {
      var key = shape.getAttribute("data-key");
      var sel = select(key);
      if (!sel) return;
      var i = CYCLE.indexOf(sel.value);
      sel.value = CYCLE[(i + 1) % CYCLE.length];
      sel.dispatchEvent(new Event("change", { bubbles: true }));
      sync(key);
      var live = document.getElementById(svg.id + "-status");
      if (live) live.textContent = shape.getAttribute("data-name") + ": " + STATE_WORDS[sel.value];
    }
    svg.querySelectorAll(".region").forEach(function (shape) {
      shape.addEventListener("click", function () { cycle(shape); });
      sync(shape.getAttribute("data-key"));
    });
    form.querySelectorAll('select[name^="sens."]').forEach(function (sel) {
      sel.addEventListener("change", function () { sync(sel.name.slice(5).replace(".", ":")); });
    });
    window.addEventListener("pageshow", function () {
      svg.querySelectorAll(".region").forEach(function (shape) { sync(shape.getAttribute("data-key")); });
    });
    rovingFocus(svg, cycle);
  }

  /* One tab stop per map; arrow keys move between regions, Space or Enter acts. */
  function rovingFocus(svg, act) {
    /* in the order of the geometry file, not the drawing order (small regions are drawn last,
       so that their hit areas lie above their neighbours) */
    var shapes = Array.prototype.slice.call(svg.querySelectorAll(".region")).sort(function (a, b) {
      return Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
    });
    shapes.forEach(function (shape, i) {
      shape.setAttribute("tabindex", i === 0 ? "0" : "-1");
      shape.addEventListener("keydown", function (event) {
        var move = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        if (move) {
          event.preventDefault();
          var target = shapes[(i + move + shapes.length) % shapes.length];
          shape.setAttribute("tabindex", "-1");
          target.setAttribute("tabindex", "0");
          target.focus();
        } else if (event.key === " " || event.key === "Enter") {
          event.preventDefault();
          act(shape);
        }
      });
    });
  }

  /* ---------------------------------------------------------------- exam grids */
  /* Arrow keys and Enter move between cells and never change a value (a select's value is
     chosen by typing its first letter, or Alt+Down to open it). */
  function setupGrid(table) {
    table.addEventListener("keydown", function (event) {
      var el = event.target;
      if (!el.matches || !el.matches("input[type=text], select") || event.altKey) return;
      var td = el.closest("td");
      var tr = td.parentElement;
      var col = Array.prototype.indexOf.call(tr.children, td);
      var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
      var r = rows.indexOf(tr);
      var isSelect = el.tagName === "SELECT";
      var target = null;
      var step = 0;
      if (event.key === "ArrowDown" || event.key === "Enter") step = 1;
      else if (event.key === "ArrowUp") step = -1;
      if (step) {
        for (var i = r + step; i >= 0 && i < rows.length && !target; i += step) {
          var cell = rows[i].children[col];
          if (cell && cell.querySelector("input[type=text], select")) target = cell;
        }
      } else if (event.key === "ArrowRight" && (isSelect || el.selectionStart === el.value.length)) {
        target = tr.children[col + 1];
      } else if (event.key === "ArrowLeft" && (isSelect || el.selectionStart === 0)) {
        target = tr.children[col - 1];
      }
      if (step || (isSelect && (event.key === "ArrowLeft" || event.key === "ArrowRight"))) event.preventDefault();
      if (target) {
        var field = target.querySelector("input[type=text], select");
        if (field) {
          event.preventDefault();
          field.focus();
          if (field.select) field.select();
        }
      }
    });
  }

  /* "Rest normal" and the EMG/NCS templates: blank cells of one side (of the named fields
     only, for a template) get the value; filled and midline cells are never touched. */
  function setupFill(button) {
    button.addEventListener("click", function () {
      var side = button.getAttribute("data-fill");
      var value = button.getAttribute("data-value");
      var scope = document.querySelector(button.getAttribute("data-scope"));
      var names = (button.getAttribute("data-names") || "").split(" ").filter(Boolean)
        .map(function (stem) { return stem + "." + side; });
      var changed = 0;
      scope.querySelectorAll("input[type=text], select").forEach(function (field) {
        if (!field.name || field.value || field.classList.contains("midline") || field.classList.contains("lim")) return;
        if (names.length ? names.indexOf(field.name) < 0 : !field.name.endsWith("." + side)) return;
        if (field.tagName === "SELECT" && !field.querySelector('option[value="' + value + '"]')) return;
        field.value = value;
        field.dispatchEvent(new Event("change", { bubbles: true }));
        changed += 1;
        var details = field.closest("details");
        if (details) details.open = true;
      });
      var live = document.getElementById("fill-status");
      if (live) live.textContent = changed + " blank " + (changed === 1 ? "cell" : "cells") + " set to " + value + " (" + side + ").";
    });
  }

  /* ---------------------------------------------------------------- scrolling tables */
  /* A table wider than the screen scrolls inside its wrapper (and a body map on a phone inside
     its figure); with nothing focusable in it, the wrapper itself takes the focus so it can be
     scrolled from the keyboard. */
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap, .bodymap-figure").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      var inner = wrap.querySelector("a, button, input, select, textarea, [tabindex]");
      if (scrolls && !inner) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var caption = wrap.querySelector("caption");
        var section = wrap.closest("section");
        var heading = section && section.querySelector("h2, h3");
        wrap.setAttribute("aria-label", (caption || wrap.querySelector("svg > title") || heading || { textContent: "Table" }).textContent.trim() + " (scrolls sideways)");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  /* ---------------------------------------------------------------- misc */
  function setupConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-draft]").forEach(setupDraft);
    document.querySelectorAll("form[data-wizard]").forEach(function (form) {
      setupRedFlags(form, setupWizard(form));
    });
    document.querySelectorAll('svg[data-bodymap="toggle"]').forEach(setupToggleMap);
    document.querySelectorAll('svg[data-bodymap="cycle"]').forEach(setupCycleMap);
    document.querySelectorAll("table.grid").forEach(setupGrid);
    document.querySelectorAll("button[data-fill]").forEach(setupFill);
    document.querySelectorAll("form[data-confirm]").forEach(setupConfirm);
    document.querySelectorAll("details[data-close-with-js]").forEach(function (d) { d.open = false; });
    focusableScrollers();
    window.addEventListener("resize", focusableScrollers);
    document.querySelectorAll("details").forEach(function (d) { d.addEventListener("toggle", focusableScrollers); });
  });
})();
