/*
 * The mark grid's keyboard, as in a spreadsheet (templates/studies/sheet.html).
 *
 * In a table marked `data-grid`, the cells are the fields with a `data-col` attribute
 * (cc, exam, absence, excluded); the text cells (cc, exam) are the ones moved between:
 *   - Up / Down: the same column, previous / next row;
 *   - Enter: the next row (Shift+Enter: the previous one), never submitting the form;
 *   - Left / Right: the previous / next text cell of the row, only once the caret is at the
 *     start / end of the text (mirrored in right-to-left pages).
 * Pasting several lines (a column copied from a spreadsheet) into a cell fills it and the
 * cells below in the same column; tab-separated values fill the next columns to the right.
 *
 * No inline script anywhere: the Content-Security-Policy is `script-src 'self'`.
 */
(function () {
  "use strict";

  var TRUE = ["1", "true", "yes", "oui", "x", "on", "نعم"];

  function isText(field) {
    return field.tagName === "INPUT" && field.type === "text";
  }

  function rowsOf(table) {
    var rows = [];
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var cells = Array.prototype.slice.call(tr.querySelectorAll("[data-col]"));
      if (cells.length) {
        rows.push(cells);
      }
    });
    return rows;
  }

  function position(table, field) {
    var rows = rowsOf(table);
    for (var r = 0; r < rows.length; r += 1) {
      var c = rows[r].indexOf(field);
      if (c !== -1) {
        return { rows: rows, row: r, col: c };
      }
    }
    return null;
  }

  function go(target) {
    if (!target || target.disabled) {
      return false;
    }
    target.focus();
    if (isText(target)) {
      target.select();
    }
    return true;
  }

  function vertical(table, field, step) {
    var at = position(table, field);
    if (!at) {
      return false;
    }
    var next = at.rows[at.row + step];
    return go(next && next[at.col]);
  }

  function horizontal(table, field, step) {
    var at = position(table, field);
    if (!at) {
      return false;
    }
    var cells = at.rows[at.row];
    for (var c = at.col + step; c >= 0 && c < cells.length; c += step) {
      if (isText(cells[c]) && !cells[c].disabled) {
        return go(cells[c]);
      }
    }
    return false;
  }

  function caretAt(field, end) {
    if (field.selectionStart !== field.selectionEnd) {
      return false;
    }
    return end ? field.selectionEnd === field.value.length : field.selectionStart === 0;
  }

  function onKeydown(table, event) {
    var field = event.target;
    if (!isText(field) || !field.hasAttribute("data-col")) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) {
      return;
    }
    var rtl = window.getComputedStyle(field).direction === "rtl";
    var moved = false;
    switch (event.key) {
      case "Enter":
        event.preventDefault(); // Enter moves; it never submits the grid
        vertical(table, field, event.shiftKey ? -1 : 1);
        return;
      case "ArrowDown":
        moved = !event.shiftKey && vertical(table, field, 1);
        break;
      case "ArrowUp":
        moved = !event.shiftKey && vertical(table, field, -1);
        break;
      case "ArrowRight":
      case "ArrowLeft": {
        if (event.shiftKey) {
          return;
        }
        // The caret's end is on the right in a left-to-right field, on the left otherwise.
        var forward = (event.key === "ArrowRight") !== rtl;
        moved = caretAt(field, forward) && horizontal(table, field, forward ? 1 : -1);
        break;
      }
      default:
        return;
    }
    if (moved) {
      event.preventDefault();
    }
  }

  function fill(cell, value) {
    if (!cell || cell.disabled) {
      return;
    }
    var text = value.trim();
    if (cell.type === "checkbox") {
      cell.checked = TRUE.indexOf(text.toLowerCase()) !== -1;
    } else if (cell.tagName === "SELECT") {
      var code = text.toUpperCase();
      var known = Array.prototype.some.call(cell.options, function (option) {
        return option.value === code;
      });
      if (!known) {
        return; // an unknown absence code: the cell keeps its value
      }
      cell.value = code;
    } else {
      cell.value = text;
    }
    cell.dispatchEvent(new Event("input", { bubbles: true }));
    cell.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function onPaste(table, event) {
    var field = event.target;
    if (!isText(field) || !field.hasAttribute("data-col")) {
      return;
    }
    var data = event.clipboardData || window.clipboardData;
    var text = data ? data.getData("text") : "";
    if (!/[\t\r\n]/.test(text)) {
      return; // a single value: the browser pastes it at the caret
    }
    event.preventDefault();
    var lines = text.replace(/\r\n?/g, "\n").split("\n");
    if (lines.length > 1 && lines[lines.length - 1] === "") {
      lines.pop(); // spreadsheets end a copied range with a line break
    }
    var at = position(table, field);
    if (!at) {
      return;
    }
    lines.forEach(function (line, i) {
      var row = at.rows[at.row + i];
      if (!row) {
        return; // more lines than rows below: the rest is left out
      }
      line.split("\t").forEach(function (value, j) {
        fill(row[at.col + j], value);
      });
    });
  }

  function init(table) {
    table.addEventListener("keydown", function (event) {
      onKeydown(table, event);
    });
    table.addEventListener("paste", function (event) {
      onPaste(table, event);
    });
  }

  function start() {
    document.querySelectorAll("table[data-grid]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
