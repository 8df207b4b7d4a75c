/* Behaviour the pages need without inline script or style (the Content-Security-Policy allows
   only files from this site): auto-submitting selects, confirmations, progress bars and the
   progress of background jobs. */
(function () {
  "use strict";

  // <select data-autosubmit>: submit its form on change (language, year).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });

  // <input type="checkbox" data-check-all="NAME">: tick or clear every checkbox named NAME in its
  // form (the batch actions of a list).
  document.addEventListener("change", function (event) {
    var target = event.target;
    var name = target.getAttribute && target.getAttribute("data-check-all");
    if (name && target.form) {
      target.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });

  // <form data-confirm="…"> and <button data-confirm="…">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // .progress-bar[data-percent]: its width (set through the CSSOM, which the policy allows).
  function showPercent(bar, percent) {
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    var box = bar.closest("[role=progressbar]");
    if (box) {
      box.setAttribute("aria-valuenow", percent);
    }
  }
  document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
    showPercent(bar, bar.getAttribute("data-percent"));
  });

  // [data-progress-url]: poll a job's progress while it runs; elements inside with
  // data-progress="done|total|state_label|steps" show the figures. With
  // data-progress-reload the page reloads when the job has ended.
  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    var url = box.getAttribute("data-progress-url");
    var running = ["queued", "running"];
    function show(name, value) {
      box.querySelectorAll('[data-progress="' + name + '"]').forEach(function (el) {
        el.textContent = value;
      });
    }
    function poll() {
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (d) {
          show("done", d.done);
          show("total", d.total);
          show("state_label", d.state_label);
          show("steps", d.done + " / " + d.total);
          box.querySelectorAll(".progress-bar").forEach(function (bar) { showPercent(bar, d.percent); });
          if (running.indexOf(d.state) !== -1) {
            setTimeout(poll, 1000);
          } else if (box.hasAttribute("data-progress-reload")) {
            window.location.reload();
          }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    if (box.hasAttribute("data-progress-active")) {
      setTimeout(poll, 500);
    }
  });
})();
