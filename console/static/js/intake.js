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

// 首问首接: the knowledge base's proposals for what the operator has typed so far, fetched once
// typing pauses; a newer request aborts the one still under way, so a stale answer never shows.
const PROPOSAL_DELAY_MS = 400;
const PROPOSAL_QUERY_CHARS = 500;

function proposalItem(proposal) {
  const item = document.createElement("li");
  item.dataset.testid = "intake-proposal";
  item.dataset.number = proposal.number;
  const heading = document.createElement("strong");
  heading.textContent = `${proposal.number}　${proposal.question}`;
  const unit = document.createElement("span");
  unit.className = "muted";
  unit.textContent = `（${proposal.unit}）`;
  const snippet = document.createElement("p");
  snippet.textContent = proposal.snippet;
  snippet.dataset.testid = "intake-proposal-snippet";
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "查看答复";
  const answer = document.createElement("p");
  answer.textContent = proposal.answer;
  answer.dataset.testid = "intake-proposal-answer";
  details.append(summary, answer);
  item.append(heading, unit, snippet, details);
  return item;
}

function proposeFromKnowledge(form) {
  const section = document.getElementById(form.dataset.proposals);
  const list = section.querySelector("ol");
  let timer = null;
  let pending = null;

  async function refresh() {
    const typed = ["title", "content"]
      .map((name) => form.elements.namedItem(name)?.value.trim() ?? "")
      .filter(Boolean)
      .join("\n")
      .slice(0, PROPOSAL_QUERY_CHARS);
    pending?.abort();
    if (!typed) {
      list.replaceChildren();
      section.hidden = true;
      return;
    }
    pending = new AbortController();
    try {
      const response = await fetch(`/intake/knowledge?q=${encodeURIComponent(typed)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: pending.signal,
      });
      if (!response.ok) return;
      const proposals = await response.json();
      list.replaceChildren(...proposals.map(proposalItem));
      section.hidden = proposals.length === 0;
    } catch (error) {
      // Aborted by a newer request, or the network: the proposals are a help, never a blocker.
      if (error.name !== "AbortError") section.hidden = true;
    }
  }

  form.addEventListener("input", (event) => {
    if (!["title", "content"].includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, PROPOSAL_DELAY_MS);
  });
  form.addEventListener("reset", () => {
    pending?.abort();
    list.replaceChildren();
    section.hidden = true;
  });
}

for (const tab of tabs) tab.addEventListener("click", () => activate(tab.dataset.channel));
for (const form of document.querySelectorAll("form.intake-form[data-proposals]")) proposeFromKnowledge(form);
for (const form of document.querySelectorAll("form.intake-form")) {
  form.addEventListener("submit", submit);
  // A corrected field is the browser's to judge again, or the form could never be sent.
  form.addEventListener("input", (event) => {
    event.target.setCustomValidity?.("");
    event.target.removeAttribute?.("aria-invalid");
  });
}
