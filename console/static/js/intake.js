// 登记受理: switch between the channels' forms, send the entered fields as the nested JSON the
// server expects ("appellant.phone" → {appellant: {phone}}), and show the case number it answers.
import { api, fieldsOf, markFields, showMessage } from "/static/js/console.js";

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
