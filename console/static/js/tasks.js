// The task list: fetched from /api/tasks with the chosen filters and refreshed every few seconds, so
// a task created (or taken by a colleague) meanwhile shows without a reload.
import { api, showMessage } from "/static/js/console.js";

const REFRESH_MS = 3000;
const DUE_LABELS = { overdue: "已超期", soon: "即将到期" };

const filters = document.getElementById("task-filters");
const rows = document.getElementById("task-rows");
const message = document.getElementById("task-message");
const updated = document.getElementById("task-updated");
const truncated = document.getElementById("task-truncated");
let timer = null;

function cell(row, content) {
  const td = row.insertCell();
  if (content instanceof Node) td.append(content);
  else td.textContent = content ?? "";
  return td;
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function dueCell(task) {
  const span = element("span", task.dueText || "—");
  if (!task.due) return span;
  const wrapper = element("span");
  const badge = element("span", DUE_LABELS[task.due], { class: `badge ${task.due}`, "data-testid": "task-due-badge" });
  wrapper.append(span, " ", badge);
  return wrapper;
}

function actions(task) {
  const wrapper = element("span", "", { class: "task-row-actions" });
  wrapper.append(element("a", "办理", { href: `/tasks/${task.key}`, class: "button primary", "data-testid": "task-open" }));
  if (!task.assignee) {
    const claim = element("button", "认领", { type: "button", "data-testid": "task-claim" });
    claim.addEventListener("click", () => act(task, "claim", `已认领“${task.name}”`));
    wrapper.append(claim);
  } else if (task.mine) {
    const unclaim = element("button", "退回", { type: "button", "data-testid": "task-unclaim" });
    unclaim.addEventListener("click", () => act(task, "unclaim", `已退回“${task.name}”，其他人可以认领`));
    wrapper.append(unclaim);
  }
  return wrapper;
}

function render(data) {
  rows.replaceChildren();
  for (const task of data.items) {
    const row = rows.insertRow();
    row.dataset.testid = "task-row";
    row.dataset.taskKey = task.key;
    row.dataset.elementId = task.elementId;
    if (task.due) row.classList.add(`due-${task.due}`);
    cell(row, element("a", task.name, { href: `/tasks/${task.key}`, "data-testid": "task-link" }));
    cell(row, task.processName);
    cell(row, task.caseNumber ? element("a", task.caseNumber, { href: `/cases/${encodeURIComponent(task.caseNumber)}` }) : "");
    cell(row, task.title);
    cell(row, dueCell(task));
    cell(row, task.assignee ? (task.mine ? `${task.assigneeName}（我）` : task.assigneeName) : "未认领").dataset.testid = "task-assignee";
    cell(row, actions(task));
  }
  if (!data.items.length) {
    const row = rows.insertRow();
    const td = cell(row, "没有符合条件的待办任务。");
    td.colSpan = 7;
    td.className = "muted";
    td.dataset.testid = "task-empty";
  }
  truncated.hidden = !data.truncated;
  updated.textContent = `更新于 ${new Date().toLocaleTimeString("zh-CN", { hour12: false })}`;
}

async function refresh() {
  clearTimeout(timer);
  const query = new URLSearchParams(new FormData(filters));
  try {
    render(await api(`/api/tasks?${query}`));
  } catch (error) {
    showMessage(message, `待办任务加载失败：${error.message}`);
  } finally {
    timer = setTimeout(refresh, REFRESH_MS);
  }
}

async function act(task, action, done) {
  try {
    await api(`/api/tasks/${task.key}/${action}`, { method: "POST" });
    showMessage(message, done, "ok");
  } catch (error) {
    showMessage(message, error.message);
  }
  await refresh();
}

const notice = new URLSearchParams(window.location.search).get("done");
if (notice) showMessage(message, `已办结：${notice}`, "ok");
filters.addEventListener("change", refresh);
filters.addEventListener("submit", (event) => {
  event.preventDefault();
  refresh();
});
refresh();
