// 登记报名、登记网民提问…: send a message form's fields (and a schedule's rows as a list) to the
// server, which checks them and publishes the message to the process; show its answer.
import { api, fieldsOf, markFields, showMessage } from "/static/js/console.js";

const result = document.getElementById("message-result");

// A rows field's table as a list of {column: value}; the server drops the rows left blank.
function rowsOf(form) {
  const rows = {};
  for (const body of form.querySelectorAll("tbody[data-rows]")) {
    rows[body.dataset.rows] = [...body.querySelectorAll("tr[data-row]")].map((row) =>
      Object.fromEntries([...row.querySelectorAll("[data-column]")].map((cell) => [cell.dataset.column, cell.value])),
    );
  }
  return rows;
}

function addRow(button) {
  const body = button.closest("fieldset").querySelector("tbody[data-rows]");
  const rows = body.querySelectorAll("tr[data-row]");
  if (rows.length >= Number(body.dataset.maxRows)) {
    showMessage(result, `最多${body.dataset.maxRows}行。`, "error");
    return;
  }
  const row = rows[rows.length - 1].cloneNode(true);
  for (const cell of row.querySelectorAll("[data-column]")) cell.value = "";
  body.append(row);
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  markFields(form, null);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  showMessage(result, "正在提交…", "info");
  try {
    const answer = await api(form.dataset.url, { method: "POST", body: { ...fieldsOf(form), ...rowsOf(form) } });
    form.reset();
    showMessage(result, answer.message, "ok");
  } catch (error) {
    showMessage(result, error.message, "error");
    markFields(form, error.body?.errors);
  } finally {
    button.disabled = false;
    result.scrollIntoView({ block: "nearest" });
  }
}

for (const form of document.querySelectorAll("form.message-form")) {
  form.addEventListener("submit", submit);
  form.addEventListener("input", (event) => {
    event.target.setCustomValidity?.("");
    event.target.removeAttribute?.("aria-invalid");
  });
}
for (const button of document.querySelectorAll("button[data-add-row]")) {
  button.addEventListener("click", () => addRow(button));
}
