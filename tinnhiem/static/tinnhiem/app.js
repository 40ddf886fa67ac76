// tinnhiem: a few lines of our own JavaScript. Every form also works without it.
(function () {
  "use strict";
  // A file field in the page's language: the browser's own button says "Choose Files" in the
  // browser's language (English on many office computers). The field stays in the form, out of
  // sight, and our button opens it; the line beside it names the chosen files.
  var texts = document.body.dataset;
  if (texts.textChooseFile) {
    document.querySelectorAll("input[type=file]").forEach(function (input) {
      var button = document.createElement("button"), line = document.createElement("span");
      button.type = "button"; button.className = "secondary file-button";
      button.textContent = input.multiple ? texts.textChooseFiles : texts.textChooseFile;
      line.className = "muted file-names";
      var show = function () {
        var f = input.files;
        line.textContent = !f || !f.length ? texts.textNoFile : f.length === 1 ? f[0].name : texts.textFiles.replace("{n}", f.length);
      };
      input.classList.add("file-native"); input.tabIndex = -1;
      input.insertAdjacentElement("afterend", line); input.insertAdjacentElement("afterend", button);
      button.addEventListener("click", function () { input.click(); });
      input.addEventListener("change", show);
      show();
    });
  }
  // The browser's message for a required field left empty, in the page's language.
  if (texts.textRequired) {
    document.addEventListener("invalid", function (event) {
      var field = event.target;
      if (!field.validity || !field.validity.valueMissing) return;
      field.setCustomValidity(field.type === "file" ? texts.textRequiredFile
        : field.type === "radio" || field.type === "checkbox" || field.tagName === "SELECT" ? texts.textRequiredChoice
        : texts.textRequired);
    }, true);
    var clear = function (event) {
      var field = event.target;
      if (!field.setCustomValidity) return;
      var group = field.type === "radio" && field.form ? field.form.querySelectorAll("input[type=radio]") : [field];
      Array.prototype.forEach.call(group, function (f) { if (f === field || f.name === field.name) f.setCustomValidity(""); });
    };
    document.addEventListener("input", clear, true);
    document.addEventListener("change", clear, true);
  }
  // A filter that applies as soon as it is chosen: <select data-submit-on-change> (no inline
  // handler: the pages' Content-Security-Policy runs only this file's scripts)
  document.querySelectorAll("[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // The projector fills the screen it is shown on: its sizes (app.css, --pj) are enlarged, up to
  // twice, while its content still fits the screen's height. A list longer than the screen (the
  // National Assembly's forty-four persons) is shown a screen at a time, whole rows only, with
  // "Trang 1/4" by its heading: the next screen comes every 20 seconds, or at once with a presenter's
  // remote or the keyboard (PageDown, →, ↓, space; back with PageUp, ←, ↑; Home, End).
  // Done again when the screen changes size and when the content changes (the next step of the
  // day, the results).
  var projector = document.body.classList.contains("projector") ? document.body : null;
  var screens = [], shown = 0, pager = null, turner = null, held = false, TURN_MS = 20000;
  var units = function () { return projector.querySelectorAll(".pj-table tbody tr, .pj-person"); };
  var showScreen = function () { // the rows of screen `shown` (all, with no screens); a form none of whose rows are on it, hidden
    var all = units(), at = screens[shown] || [0, all.length];
    all.forEach(function (u, i) { u.classList.toggle("pj-off", i < at[0] || i >= at[1]); });
    projector.querySelectorAll(".pj-form").forEach(function (f) {
      f.classList.toggle("pj-off", !f.querySelector(".pj-table tbody tr:not(.pj-off), .pj-person:not(.pj-off)"));
    });
    if (screens.length > 1) { // "Trang 1/4" at the end of the heading over the rows shown
      if (!pager) { pager = document.createElement("span"); pager.className = "pj-pager"; pager.setAttribute("aria-live", "polite"); }
      var heading = projector.querySelector(".pj-form:not(.pj-off) h2");
      if (heading && pager.parentNode !== heading) heading.appendChild(pager);
      pager.textContent = (texts.textScreen || "{n}/{count}").replace("{n}", shown + 1).replace("{count}", screens.length)
        + (held ? " · " + (texts.textHeld || "||") : "");
    } else if (pager) pager.remove();
  };
  var turn = function (to) {
    if (screens.length < 2) return;
    shown = (to + screens.length) % screens.length;
    showScreen();
  };
  var fit = function () {
    if (!projector) return;
    var content = projector.querySelector("[data-poll-url]") || projector.lastElementChild;
    var used = function () { // the bottom of the content, the page scrolled to its top
      return content ? content.getBoundingClientRect().bottom + window.scrollY : 0;
    };
    var keep = shown;
    projector.style.setProperty("--pj", "1vw");
    screens = []; shown = 0; showScreen();
    var room = window.innerHeight, natural = used();
    if (natural <= 0) return;
    if (natural > room) { // a screen at a time: as many whole rows as fit under the headings
      var all = units(), found = [], from = 0;
      while (from < all.length) {
        var to = from + 1; // at least one row a screen, however tall
        while (to < all.length) {
          screens = [[from, to + 1]]; showScreen();
          if (used() > room) break;
          to++;
        }
        found.push([from, to]);
        from = to;
      }
      screens = found; shown = Math.min(keep, found.length - 1);
      showScreen();
      return;
    }
    var scale = Math.min(2, room / natural);
    for (var i = 0; i < 12 && scale > 1; i++) { // text that wraps once larger: a little less
      projector.style.setProperty("--pj", scale.toFixed(3) + "vw");
      if (document.documentElement.scrollHeight <= room) return; // a last margin counted too
      scale = Math.max(1, scale * 0.96);
    }
    projector.style.setProperty("--pj", scale.toFixed(3) + "vw");
  };
  if (projector) {
    projector.querySelectorAll("[data-poll-url]").forEach(function (el) { el.tinnhiemHtml = el.innerHTML; }); // as served
    fit();
    window.addEventListener("resize", fit);
    var restart = function () {
      clearInterval(turner);
      if (!held) turner = setInterval(function () { turn(shown + 1); }, TURN_MS);
    };
    document.addEventListener("keydown", function (event) {
      if (screens.length < 2 || event.altKey || event.ctrlKey || event.metaKey) return;
      var key = event.key, to = null;
      if (key === "p" || key === "P" || key === "b" || key === "B" || key === ".") { // a remote's "pause" or "blank" key:
        event.preventDefault(); held = !held; showScreen(); restart(); return; // the screen stays while a row is read
      }
      if (key === "PageDown" || key === "ArrowRight" || key === "ArrowDown" || key === " ") to = shown + 1;
      else if (key === "PageUp" || key === "ArrowLeft" || key === "ArrowUp") to = shown - 1;
      else if (key === "Home") to = 0;
      else if (key === "End") to = screens.length - 1;
      if (to === null) return;
      event.preventDefault(); turn(to); restart(); // the next screen 20 seconds after the last press
    });
    restart();
  }
  // Live fragments: <div data-poll-url="…" data-poll-ms="1000">…</div>. When the server stops
  // answering (the hall's Wi-Fi dropped, the server was stopped, the session ended), the figures
  // are greyed and a line above them says since when they have not been updated: a quorum or a
  // turnout that stopped moving must not pass for the live one.
  document.querySelectorAll("[data-poll-url]").forEach(function (el) {
    var ms = parseInt(el.getAttribute("data-poll-ms") || "2000", 10);
    var busy = false, fails = 0, updated = new Date(), note = null;
    var last = el.tinnhiemHtml !== undefined ? el.tinnhiemHtml : el.innerHTML; // what the server sent last
    var stale = function (on) {
      el.classList.toggle("stale", on);
      if (!on) { if (note) { note.remove(); note = null; fit(); } return; }
      var first = !note;
      if (first) {
        note = document.createElement("div"); note.className = "warn stale-note"; note.setAttribute("role", "status");
        el.insertAdjacentElement("beforebegin", note);
      }
      note.textContent = (texts.textStale || "").replace("{time}", updated.toTimeString().slice(0, 8));
      if (first) fit(); // the projector's rows under the note, still whole
    };
    setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(el.getAttribute("data-poll-url"), { credentials: "same-origin", headers: { "X-Requested-With": "poll" } })
        .then(function (r) { if (!r.ok || r.redirected) throw new Error(r.status); return r.text(); }) // redirected: to the login page
        .then(function (html) {
          fails = 0; updated = new Date(); stale(false);
          if (html !== last) { last = html; el.innerHTML = html; fit(); } // (the projector marks the rows it hides)
        })
        .catch(function () { fails += 1; if (fails >= 2) stale(true); })
        .then(function () { busy = false; });
    }, ms);
  });
  // A form whose answer is a file to download (the backup) leaves its page as it was. Once sent, its
  // password is emptied (the laptop left open would send it again), and the parts of the page it
  // changes (data-download-refresh: selectors) are fetched again until they show the new file.
  document.querySelectorAll("form[data-download-refresh]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var parts = form.getAttribute("data-download-refresh").split(",").map(function (s) { return s.trim(); });
      var before = parts.map(function (p) { var e = document.querySelector(p); return e ? e.outerHTML : ""; }).join("");
      var tries = 0;
      setTimeout(function () { // after the form's data was taken
        form.querySelectorAll("input[type=password]").forEach(function (input) { input.value = ""; });
      }, 0);
      var look = function () {
        fetch(location.href, { credentials: "same-origin" })
          .then(function (r) { if (!r.ok || r.redirected) throw new Error(r.status); return r.text(); })
          .then(function (html) {
            var page = new DOMParser().parseFromString(html, "text/html");
            var fresh = parts.map(function (p) { var e = page.querySelector(p); return e ? e.outerHTML : ""; }).join("");
            if (fresh === before) throw new Error("not yet");
            parts.forEach(function (p) {
              var here = document.querySelector(p), there = page.querySelector(p);
              if (here && there) here.replaceWith(document.importNode(there, true));
              else if (here) here.remove();
            });
          })
          .catch(function () { if (++tries < 60) setTimeout(look, 2000); }); // a backup with scans takes a minute
      };
      setTimeout(look, 1000);
    });
  });
  // Search as you type in a table: <input data-filter="#table-id">. As the server searches
  // (tinnhiem/text.py, matches): a letter typed without its marks finds it with any ("nguyen"
  // finds "Nguyễn", "dinh" finds "Đinh"); a letter typed with them finds only itself.
  var fold = function (s) { return s.normalize("NFC").toLocaleLowerCase("vi").replace(/\s+/g, " ").trim(); };
  var letter = function (c) {
    var b = c.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    return b === "đ" ? "d" : (b.length === 1 ? b : c);
  };
  var prepared = function (row) { // folded once per row, then at each key typed
    if (!row.tinnhiemSearch) {
      var text = fold(row.getAttribute("data-search"));
      row.tinnhiemSearch = { text: text, letters: text.split("").map(letter).join("") };
    }
    return row.tinnhiemSearch;
  };
  var matches = function (q, plain, row) { // q folded, plain its letters without marks
    var p = prepared(row);
    var start = p.letters.indexOf(plain);
    while (start !== -1) { // where the letters agree, each letter typed with marks must be the same
      var i = 0;
      while (i < q.length && (q[i] === p.text[start + i] || q[i] === p.letters[start + i])) i++;
      if (i === q.length) return true;
      start = p.letters.indexOf(plain, start + 1);
    }
    return false;
  };
  document.querySelectorAll("[data-filter]").forEach(function (input) {
    var table = document.querySelector(input.getAttribute("data-filter"));
    if (!table) return;
    input.addEventListener("input", function () {
      var q = fold(input.value), plain = q.split("").map(letter).join("");
      table.querySelectorAll("tbody tr[data-search]").forEach(function (row) {
        row.hidden = !matches(q, plain, row);
      });
    });
    // a link to a row the filter hides (a body's managing authority): the filter is cleared first
    table.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var row = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!row || !row.hidden) return;
      input.value = "";
      table.querySelectorAll("tbody tr[data-search]").forEach(function (r) { r.hidden = false; });
    });
  });
  // Select all visible rows: <input type=checkbox data-select-all="#table-id">
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll(box.getAttribute("data-select-all") + " tbody tr:not([hidden]) input[type=checkbox]").forEach(function (b) { b.checked = box.checked; });
    });
  });
  // A table whose rows each have their own form (the opinions' classification):
  // <table data-unsaved="… {n} …">. A choice changed in a row and not saved with that row's button
  // would be lost when another form of the page is sent (the bar's "save the classification", or
  // another row's): the page asks first, saying how many rows.
  document.querySelectorAll("[data-unsaved]").forEach(function (table) {
    // each choice as the page showed it (a list with no option marked shows its first one)
    var selects = Array.prototype.slice.call(table.querySelectorAll("select"));
    var shown = selects.map(function (select) { return select.value; });
    var changed = function (sent) {
      return selects.filter(function (select, i) { return select.form !== sent && select.value !== shown[i]; }).length;
    };
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var n = changed(form);
        if (n && !window.confirm(table.getAttribute("data-unsaved").replace("{n}", n))) event.preventDefault();
      });
    });
  });
  // A card's QR opens the voting page with the code after "#": it is never sent in a URL, only in
  // the form's POST body, and it is removed from the address bar at once.
  var codeField = document.querySelector("[data-code-from-fragment]");
  if (codeField && location.hash.length > 1) {
    codeField.value = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, "", location.pathname);
  }
  // A code's field is a textarea, so that it wraps rather than hide the code's end; Enter still
  // sends the form (the phone's keyboard shows "Go"), and the field grows to its lines where the
  // browser cannot size it to its text itself.
  document.querySelectorAll("textarea[data-code-field]").forEach(function (field) {
    var grow = function () {
      if (window.CSS && CSS.supports("field-sizing", "content")) return;
      field.style.height = "auto";
      field.style.height = field.scrollHeight + field.offsetHeight - field.clientHeight + "px";
    };
    var send = function (event) {
      event.preventDefault();
      var button = field.form.querySelector("button[type=submit]");
      if (button && !button.disabled) field.form.requestSubmit(button);
    };
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.isComposing) send(event);
    });
    // a phone keyboard that sends no Enter key, only a new line to insert
    field.addEventListener("beforeinput", function (event) {
      if (event.inputType === "insertLineBreak" || event.inputType === "insertParagraph") send(event);
    });
    field.addEventListener("input", grow);
    grow();
  });
  // Every form sends once per press: the button pressed is disabled as the form goes, so that a
  // double click (or a double tap on a phone) on a slow Wi-Fi sends one request; the server also
  // knows a request sent twice. It comes back after a while, for a form that downloads a file and
  // stays on the page, and when the page is shown again from the browser's history. A press that
  // a script keeps on the page (the voter's review) disables nothing; the scan upload, which
  // sends its files itself, has its own handling.
  var pressed = [];
  document.querySelectorAll("form[method=post]:not([data-upload])").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.tagName !== "BUTTON") return;
      setTimeout(function () {
        if (event.defaultPrevented) return;
        button.disabled = true;
        pressed.push(button);
        setTimeout(function () { button.disabled = false; }, 8000);
      }, 0);
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) pressed.forEach(function (button) { button.disabled = false; });
  });
  // The voter reviews the ballot on the phone before sending it (the server does it without JS).
  var reviewForm = document.querySelector("[data-review-form]");
  if (reviewForm) {
    var panel = reviewForm.querySelector("[data-review-panel]");
    var text = function (sel) { return reviewForm.querySelector(sel).innerHTML.trim(); };
    // A ballot longer than a screen (more than five persons): a line kept at the foot of the screen
    // says for how many persons a level is chosen, and takes the voter to the first without one.
    // Nothing of it leaves the phone.
    var sets = reviewForm.querySelectorAll("fieldset.person"), progress = null;
    if (sets.length > 5) {
      progress = document.createElement("div"); progress.className = "ballot-progress"; progress.setAttribute("role", "status");
      var said = document.createElement("span"), next = document.createElement("button");
      next.type = "button"; next.className = "secondary small"; next.textContent = text("[data-text-next]");
      progress.appendChild(said); progress.appendChild(next);
      reviewForm.querySelector(".actions").insertAdjacentElement("beforebegin", progress);
      var open = function () { return Array.prototype.filter.call(sets, function (s) { return !s.querySelector("input:checked"); }); };
      var count = function () {
        var left = open().length;
        said.textContent = text("[data-text-progress]").replace("{n}", sets.length - left).replace("{count}", sets.length);
        next.hidden = left === 0;
      };
      next.addEventListener("click", function () {
        var first = open()[0];
        if (!first) return;
        first.scrollIntoView({ block: "center" }); first.querySelector("input").focus({ preventScroll: true });
      });
      reviewForm.addEventListener("change", count);
      count();
    }
    reviewForm.addEventListener("submit", function (event) {
      if (reviewForm.querySelector("input[name=step]").value !== "review") return;
      event.preventDefault();
      var table = reviewForm.querySelector("[data-review-table] tbody"), warnings = reviewForm.querySelector("[data-review-warnings]");
      table.innerHTML = ""; warnings.innerHTML = "";
      reviewForm.querySelectorAll("fieldset.person").forEach(function (set) {
        var name = set.querySelector("legend strong").textContent.replace(/^\d+\.\s*/, "");
        var checked = set.querySelector("input:checked");
        var choice = checked ? checked.parentElement.textContent.trim() : text("[data-text-blank]");
        var row = table.insertRow(), th = document.createElement("th"); th.scope = "row"; th.textContent = name; row.appendChild(th); var c = row.insertCell(); c.innerHTML = "<strong></strong>"; c.firstChild.textContent = choice;
        if (!checked || checked.value === "9") { var w = document.createElement("div"); w.className = "warn"; w.textContent = text("[data-text-warning]").replace("{name}", name); warnings.appendChild(w); }
        set.hidden = true;
      });
      reviewForm.querySelector(".actions").hidden = true;
      if (progress) progress.hidden = true;
      // the focus goes with what is shown (the button pressed is hidden): a screen reader reads the review
      panel.hidden = false; panel.querySelector("[data-review-heading]").focus(); panel.scrollIntoView();
    });
    reviewForm.querySelector("[data-review-back]").addEventListener("click", function () {
      panel.hidden = true; reviewForm.querySelector(".actions").hidden = false;
      if (progress) progress.hidden = false;
      reviewForm.querySelectorAll("fieldset.person").forEach(function (set) { set.hidden = false; });
      var first = reviewForm.querySelector("fieldset.person");  // back at the first person, as chosen
      if (first) (first.querySelector("input:checked") || first.querySelector("input")).focus();
    });
    reviewForm.querySelector("[data-review-send]").addEventListener("click", function (event) {
      event.target.disabled = true;
      reviewForm.querySelector("input[name=step]").value = "submit";
      reviewForm.submit();
    });
  }
  // Uploading scans: a few files per request (at most 8, and under the size limit of one
  // request), in the order of their names, so that a whole stack can be chosen at once and the
  // server reads the pages of each request on all its cores. The bar follows the files; the line
  // names the last file sent. Without script the form sends every file at once.
  // The hall's Wi-Fi may drop: a request that gets no answer is sent again, a few times, after a
  // wait, with the same one-time id, so that the server records once what it already had. If it
  // still fails, or the server refuses it, nothing more is sent: the pages of a ballot of several
  // pages follow each other in the stack, and a gap would split them. The line says which files
  // to choose again.
  var upload = document.querySelector("form[data-upload]");
  if (upload && window.XMLHttpRequest && window.FormData) {
    var oneTimeId = function () {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);  // on plain HTTP too, unlike randomUUID
      return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    };
    upload.addEventListener("submit", function (event) {
      event.preventDefault();
      // in the order of the stack, as the scanner numbered the files ("Scan 2" before "Scan 10"):
      // a file dialog may give the last file clicked first (the server sorts the same way)
      var files = Array.prototype.slice.call(upload.querySelector("input[type=file]").files).sort(function (a, b) {
        return a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: "base" });
      });
      var bar = upload.querySelector("[data-progress]"), status = upload.querySelector("[data-upload-status]");
      var button = upload.querySelector("button[type=submit]");
      var token = upload.querySelector("[name=csrfmiddlewaretoken]").value;
      var max = parseInt(upload.getAttribute("data-max-bytes"), 10), problems = [], i = 0;
      var target = upload.action || location.href;
      var waits = (upload.getAttribute("data-retry-waits") || "2000,4000,8000,15000,30000").split(",").map(Number);
      function say(name, values) {
        return upload.getAttribute(name).replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
      }
      function finish() {
        if (!problems.length) { location.reload(); return; }
        status.className = "warn"; status.textContent = "";
        problems.forEach(function (p) { var line = document.createElement("div"); line.textContent = p; status.appendChild(line); });
        var again = document.createElement("a"); again.href = location.href; again.textContent = say("data-text-reload", {});
        status.appendChild(again); button.disabled = false;
      }
      function next() {
        bar.value = Math.round(i * 100 / files.length);
        while (i < files.length && files[i].size > max) {
          problems.push(say("data-text-too-large", {file: files[i].name})); i++;
        }
        if (i >= files.length) { finish(); return; }
        var batch = [], bytes = 0;
        while (i + batch.length < files.length && batch.length < 8) {
          var file = files[i + batch.length];
          if (file.size > max || (batch.length && bytes + file.size > max)) break;
          batch.push(file); bytes += file.size;
        }
        var last = batch[batch.length - 1], first = i, id = oneTimeId(), tries = 0;
        status.textContent = say("data-text-progress", {n: i + batch.length, total: files.length, file: last.name});
        function stop(text, code, why) {  // this request and every file after it: not sent again
          problems.push(say(text, {file: batch[0].name, n: files.length - first, status: code, why: why}));
          i = files.length; finish();
        }
        function lost() {  // no answer (the Wi-Fi, the server restarting): the same request again
          if (tries >= waits.length) { stop("data-text-stopped"); return; }
          status.textContent = say("data-text-retry", {file: last.name, s: Math.round(waits[tries] / 1000), k: tries + 1, total: waits.length});
          setTimeout(send, waits[tries++]);
        }
        function send() {
          var data = new FormData(), xhr = new XMLHttpRequest();
          data.append("csrfmiddlewaretoken", token);
          data.append("submission", id);
          upload.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) { data.append(c.name, c.value); });
          batch.forEach(function (f) { data.append("files", f); });
          xhr.upload.addEventListener("progress", function (e) {
            if (e.lengthComputable) bar.value = Math.round((first + batch.length * e.loaded / e.total) * 100 / files.length);
          });
          xhr.addEventListener("load", function () {
            if (xhr.status === 0 || xhr.status === 502 || xhr.status === 503 || xhr.status === 504) { lost(); return; }
            var answer = null;
            try { answer = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
            if (xhr.status !== 200 || !answer || !answer.results) {
              if (answer && answer.error) {  // the disk is full: the files of the batch before "done" are counted
                var done = Math.min(answer.done || 0, batch.length - 1);
                first += done; batch = batch.slice(done);
                stop("data-text-server-said", xhr.status, answer.error); return;
              }
              // sent to the login page (the session ended, or another tab logged out), or refused
              var moved = xhr.responseURL && xhr.responseURL.split("?")[0] !== new URL(target, location.href).href.split("?")[0];
              stop(moved ? "data-text-logged-out" : "data-text-refused", xhr.status);
              return;
            }
            i += batch.length;
            // the pages came in the other order than the form said: nothing more is sent (the
            // page, reloaded, says why)
            if (answer.stop) i = files.length;
            next();
          });
          xhr.addEventListener("error", lost);
          xhr.addEventListener("timeout", lost);
          xhr.open("POST", target);
          xhr.timeout = 60000 + bytes / 50;  // a minute, and the files at 50 kB/s
          xhr.setRequestHeader("X-Requested-With", "upload");
          xhr.send(data);
        }
        send();
      }
      if (!files.length) return;
      bar.hidden = false; status.hidden = false; button.disabled = true;
      next();
    });
  }
  // Keyboard-first ballot entry: the form submits by itself when one key per person is typed.
  var keys = document.querySelector("[data-entry-keys]");
  if (keys) {
    var n = parseInt(keys.getAttribute("data-entry-keys"), 10);
    var allowed = keys.getAttribute("data-allowed");
    var sent = false;
    keys.addEventListener("input", function () {
      var v = keys.value.replace(/\s+/g, "");
      if (v.toLowerCase() === "x") { document.getElementById("invalid-box").hidden = false; document.getElementById("id_invalid_reason").focus(); return; }
      v = v.split("").filter(function (c) { return allowed.indexOf(c) !== -1; }).join("");
      keys.value = v;
      if (v.length === n && !sent) { sent = true; keys.form.requestSubmit(); }
    });
    keys.form.addEventListener("submit", function () { sent = true; keys.form.querySelectorAll("button").forEach(function (b) { b.disabled = true; }); });
  }
})();
