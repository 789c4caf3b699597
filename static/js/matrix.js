/* The ownership matrix page: remembered panels, keyboard editing of cells, the row
   menus and the in-place history. Everything here changes classes, attributes and
   text, never an inline style (the page's Content Security Policy refuses those).
   Without this script the page still works: every cell is a tab stop, the row's Save
   button sends its cells, History opens the row's history page. */
(function () {
  "use strict";

  var STORE = "lanes.matrix.panel.";
  var MOVE_KEYS = { ArrowLeft: -1, ArrowRight: 1 };
  // Keys that change a closed select's level one step at a time (and type-ahead).
  var STEP_KEYS = ["ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"];

  function status(text) {
    var line = document.getElementById("matrix-status");
    if (line) line.textContent = text;
  }

  function cellLabel(select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent : select.name;
  }

  /* Panels (legend, filters, summary, keyboard): open or closed as last left. */
  function rememberPanels() {
    document.querySelectorAll("details[data-remember]").forEach(function (panel) {
      var key = STORE + panel.dataset.remember;
      try {
        var stored = window.localStorage.getItem(key);
        if (stored !== null && !panel.hasAttribute("data-keep-open")) {
          panel.open = stored === "open";
        }
      } catch (error) { /* storage refused: the panel keeps its default */ }
      panel.addEventListener("toggle", function () {
        try {
          window.localStorage.setItem(key, panel.open ? "open" : "closed");
        } catch (error) { /* storage refused: not remembered */ }
      });
    });
  }

  /* Cells: one tab stop per row (roving tabindex), arrows left and right move. */
  function rowCells(row) {
    return Array.prototype.slice.call(row.querySelectorAll("td.cell select"));
  }

  function setUpRows(root) {
    var rows = root.matches && root.matches("tr.matrix-row")
      ? [root] : root.querySelectorAll("tr.matrix-row");
    Array.prototype.forEach.call(rows, function (row) {
      var cells = rowCells(row);
      cells.forEach(function (select, index) {
        select.tabIndex = index === 0 ? 0 : -1;
        select.dataset.saved = select.value;
      });
    });
  }

  function makeTabStop(select) {
    rowCells(select.closest("tr")).forEach(function (other) {
      other.tabIndex = other === select ? 0 : -1;
    });
  }

  function markPending(select, pending) {
    var cell = select.closest("td");
    if (pending) {
      select.dataset.pending = "1";
      cell.classList.add("cell-pending");
    } else {
      delete select.dataset.pending;
      cell.classList.remove("cell-pending");
    }
  }

  function commit(select) {
    if (!select.dataset.pending) return;
    markPending(select, false);
    if (select.value === select.dataset.saved) return;
    htmx.trigger(select, "commit");
  }

  function onKeyDown(event) {
    var select = event.target;
    if (!select.matches("td.cell select")) return;
    if (event.key in MOVE_KEYS && !event.altKey) {
      event.preventDefault();
      var cells = rowCells(select.closest("tr"));
      var next = cells[cells.indexOf(select) + MOVE_KEYS[event.key]];
      if (next) {
        makeTabStop(next);
        next.focus();
      }
    } else if (event.key === "Enter") {
      if (select.dataset.pending) {
        event.preventDefault();
        commit(select);
      }
    } else if (event.key === "Escape") {
      if (select.dataset.pending) {
        event.preventDefault();
        select.value = select.dataset.saved;
        markPending(select, false);
        status(cellLabel(select) + ": change undone, nothing saved.");
      }
    } else if (!event.altKey && !event.ctrlKey && !event.metaKey &&
               (STEP_KEYS.indexOf(event.key) >= 0 || event.key.length === 1)) {
      // The change this key makes is a step, not yet the user's choice.
      select.dataset.stepping = "1";
    }
  }

  function onKeyUp(event) {
    if (event.target.dataset) delete event.target.dataset.stepping;
  }

  function onChange(event) {
    var select = event.target;
    if (!select.matches("td.cell select")) return;
    if (select.dataset.stepping) {
      delete select.dataset.stepping;
      markPending(select, true);
      status(cellLabel(select) + ": " + select.selectedOptions[0].text +
             ", not saved yet: press Enter or leave the cell to save, Esc to undo.");
      return;
    }
    // Picked from the open list (mouse, or Enter in the list): the user's choice.
    markPending(select, true);
    commit(select);
  }

  /* Row menus: one open at a time; Escape closes and returns to its button. */
  function onMenuKey(event) {
    var menu = event.target.closest && event.target.closest("details.row-menu");
    if (menu && event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  }

  function onMenuToggle(event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details.row-menu") || !menu.open) return;
    document.querySelectorAll("details.row-menu[open]").forEach(function (other) {
      if (other !== menu) other.open = false;
    });
  }

  function onOutsideClick(event) {
    document.querySelectorAll("details.row-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  }

  /* History: a full-width row under the row, loaded once, shown and hidden. */
  function toggleHistory(link) {
    var row = link.closest("tr");
    var id = "history-" + link.dataset.row;
    var historyRow = document.getElementById(id);
    var menu = link.closest("details.row-menu");
    if (menu) menu.open = false;
    if (historyRow && !historyRow.hidden) {
      closeHistory(historyRow);
      return;
    }
    if (!historyRow) {
      historyRow = document.createElement("tr");
      historyRow.id = id;
      historyRow.className = "history-row";
      var cell = document.createElement("td");
      cell.colSpan = row.cells.length;
      var panel = document.createElement("div");
      panel.className = "history-panel";
      panel.tabIndex = -1;
      panel.setAttribute("role", "region");
      var title = row.querySelector(".row-title");
      panel.setAttribute("aria-label", "History of " + (title ? title.textContent : ""));
      var close = document.createElement("button");
      close.type = "button";
      close.className = "history-close secondary";
      close.textContent = "Close history";
      close.dataset.row = link.dataset.row;
      var body = document.createElement("div");
      body.className = "history-body";
      body.textContent = "Loading the history…";
      panel.append(close, body);
      cell.append(panel);
      historyRow.append(cell);
      htmx.ajax("GET", link.getAttribute("href"), { target: body, swap: "innerHTML" });
    }
    row.after(historyRow);
    historyRow.hidden = false;
    link.setAttribute("aria-controls", id);
    link.setAttribute("aria-expanded", "true");
    row.classList.add("history-open");
    historyRow.querySelector(".history-panel").focus();
  }

  function closeHistory(historyRow) {
    historyRow.hidden = true;
    var row = document.getElementById("row-" + historyRow.id.slice("history-".length));
    if (!row) return;
    var link = row.querySelector("a.history-link");
    if (link) link.setAttribute("aria-expanded", "false");
    row.classList.remove("history-open");
    var back = row.querySelector("details.row-menu summary, a.history-link");
    if (back) back.focus();
  }

  function onClick(event) {
    var link = event.target.closest("a.history-link");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      toggleHistory(link);
      return;
    }
    var close = event.target.closest("button.history-close");
    if (close) closeHistory(document.getElementById("history-" + close.dataset.row));
  }

  /* After a refused save the row is replaced: give the focus back to the same cell. */
  var focusedId = null;
  function beforeSwap() {
    var active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
  }
  function afterSettle() {
    if (focusedId && (document.activeElement === document.body || !document.activeElement)) {
      var again = document.getElementById(focusedId);
      if (again) {
        if (again.matches("td.cell select")) makeTabStop(again);
        again.focus();
      }
    }
    focusedId = null;
  }

  function afterRequest(event) {
    var select = event.detail.elt;
    if (select && select.matches && select.matches("td.cell select") && event.detail.successful) {
      select.dataset.saved = select.value;
    }
  }

  rememberPanels();
  var table = document.querySelector("table.matrix");
  if (table) {
    table.addEventListener("keydown", onKeyDown);
    table.addEventListener("keyup", onKeyUp);
    table.addEventListener("change", onChange);
    table.addEventListener("focusin", function (event) {
      if (event.target.matches("td.cell select")) makeTabStop(event.target);
    });
    table.addEventListener("focusout", function (event) {
      if (event.target.matches("td.cell select")) commit(event.target);
    });
    table.addEventListener("keydown", onMenuKey);
    table.addEventListener("toggle", onMenuToggle, true);
    table.addEventListener("click", onClick);
    document.addEventListener("click", onOutsideClick);
    document.body.addEventListener("htmx:beforeSwap", beforeSwap);
    document.body.addEventListener("htmx:afterSettle", afterSettle);
    document.body.addEventListener("htmx:afterRequest", afterRequest);
    htmx.onLoad(setUpRows);
  }
})();
