// 登记受理: switch between the channels' forms, send the entered fields as the nested JSON the
// server expects ("appellant.phone" → {appellant: {phone}}), and show the case number it answers.
import { api, showMessage } from "/static/js/console.js";

const result = document.getElementById("intake-result");
const tabs = [...document.querySelectorAll(".intake-channels [data-channel]")];

function activate(channel) {
  for (const tab of tabs) {
    const selected = tab.dataset.channel === channel;
    tab.setAttribute("aria-selected", String(selected));
    tab.classList.toggle("primary", selected);
    document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  const url = new URL(window.location.href);
  url.searchParams.set("channel", channel);
  window.history.replaceState(null, "", url);
  showMessage(result, "");
}

function valueOf(element) {
  if (element.dataset.kind === "flag") return element.checked;
  if (element.dataset.kind === "list") return [...element.selectedOptions].map((option) => option.value);
  return element.value;
}

function fieldsOf(form) {
  const body = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    const path = element.name.split(".");
    const last = path.pop();
    let target = body;
    for (const part of path) target = target[part] ??= {};
    target[last] = valueOf(element);
  }
  return body;
}

function showRegistered(answer) {
  result.replaceChildren(answer.message);
  if (answer.caseUrl) {
    const link = document.createElement("a");
    link.href = answer.caseUrl;
    link.textContent = `查看案件 ${answer.caseNumber}`;
    link.dataset.testid = "intake-case-link";
    result.append(" ", link);
  }
  result.className = "alert ok";
  result.hidden = false;
  result.dataset.processInstanceKey = answer.processInstanceKey;
}

// The server's problems by field path ({"appellant.phone": "..."}): marked on each field.
function markFields(form, errors) {
  for (const element of form.elements) {
    if (!element.name) continue;
    const problem = errors?.[element.name] ?? "";
    element.setCustomValidity(problem);
    element.toggleAttribute("aria-invalid", Boolean(problem));
    element.title = problem;
  }
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  markFields(form, null);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  showMessage(result, "正在登记…", "info");
  try {
    const answer = await api(`/api/intake/${form.dataset.channel}`, { method: "POST", body: fieldsOf(form) });
    form.reset();
    showRegistered(answer);
  } catch (error) {
    showMessage(result, error.message, "error");
    markFields(form, error.body?.errors);
  } finally {
    button.disabled = false;
    result.scrollIntoView({ block: "nearest" });
  }
}

for (const tab of tabs) tab.addEventListener("click", () => activate(tab.dataset.channel));
for (const form of document.querySelectorAll("form.intake-form")) {
  form.addEventListener("submit", submit);
  // A corrected field is the browser's to judge again, or the form could never be sent.
  form.addEventListener("input", (event) => {
    event.target.setCustomValidity?.("");
    event.target.removeAttribute?.("aria-invalid");
  });
}
